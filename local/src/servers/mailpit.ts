// Mailpit: a real SMTP server that keeps what it receives in an inbox with an HTTP API. The
// platform's email (password resets, address verification) goes to it locally, and tests read
// it back from its API (shared/src/testing/mail.ts). Built from the Go module proxy.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { LOCAL_HOST, localPorts } from "@stream-platform/shared";
import { dataDir } from "../paths.ts";
import { startDaemon } from "../proc.ts";
import { goInstall } from "../provision/go.ts";
import type { Probe, Server } from "./types.ts";

export const MAILPIT_VERSION = "v1.33.1";

const build = () =>
  goInstall("mailpit", "github.com/axllent/mailpit", MAILPIT_VERSION, "about two minutes");

export const mailpitUrl = () => `http://${LOCAL_HOST}:${localPorts().mailpit}`;

export const mailpit: Server = {
  name: "mailpit",
  title: "Mailpit (SMTP, inbox API)",
  dependsOn: [],
  startupTimeoutSeconds: 30,
  address: () => `smtp://${LOCAL_HOST}:${localPorts().smtp} (inbox ${mailpitUrl()})`,
  port: () => localPorts().smtp,
  portVariable: "SMTP_PORT",
  // Local mail only: SMTP_URL sends the functions' mail elsewhere, but tests read this inbox.
  external: () => false,

  async provision() {
    await build();
  },

  async start() {
    const binary = await build();
    const state = join(dataDir, "mailpit");
    mkdirSync(state, { recursive: true });
    startDaemon({
      name: "mailpit",
      command: binary,
      args: [
        `--smtp=${LOCAL_HOST}:${localPorts().smtp}`,
        `--listen=${LOCAL_HOST}:${localPorts().mailpit}`,
        `--database=${join(state, "mailpit.db")}`,
        // Tests send a few thousand messages in a full run; the oldest go beyond this.
        "--max=5000",
        // No lookups of the sender's address on the network: everything is on loopback.
        "--smtp-disable-rdns",
        "--quiet",
      ],
    });
  },

  async probe(): Promise<Probe> {
    try {
      const response = await fetch(`${mailpitUrl()}/api/v1/info`, {
        signal: AbortSignal.timeout(2000),
      });
      if (!response.ok) return { up: false, reason: `/api/v1/info answered ${response.status}` };
      const info = (await response.json()) as { Version?: string };
      // `go install` leaves its version unset ("dev"): it is the one built.
      const version = !info.Version || info.Version === "dev" ? MAILPIT_VERSION : info.Version;
      return { up: true, version: `Mailpit ${version}` };
    } catch (error) {
      return { up: false, reason: (error as Error).message };
    }
  },
};
