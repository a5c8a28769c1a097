// The platform's own processes: every Knative Service of knative/ as a function process, with
// the KafkaSources and PingSources that feed them (local/src/eventing/main.ts).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { LOCAL_HOST, localPorts } from "@stream-platform/shared";
import { dataDir, repoRoot } from "../paths.ts";
import { startDaemon } from "../proc.ts";
import type { Probe, Server } from "./types.ts";

/** A random secret kept in .data/secrets/NAME (0600), made on first use. */
export function localSecret(name: string): string {
  const file = join(dataDir, "secrets", name);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

const statusUrl = () => `http://${LOCAL_HOST}:${localPorts().platform}/`;

export const platform: Server = {
  name: "platform",
  title: "Functions and eventing (Knative, locally)",
  dependsOn: ["postgres", "mongodb", "kafka", "elasticsearch"],
  startupTimeoutSeconds: 90,
  address: statusUrl,
  port: () => localPorts().platform,
  portVariable: "PLATFORM_PORT",
  external: () => false,

  async provision() {
    // npm packages only: installed by local/bootstrap.mjs.
  },

  async start() {
    startDaemon({
      name: "platform",
      command: process.execPath,
      args: ["--import", "tsx", join(repoRoot, "local", "src", "eventing", "main.ts")],
      cwd: repoRoot,
      // What a cluster keeps in Secrets; generated once per clone (never printed).
      env: {
        JWT_SECRET: localSecret("jwt-secret"),
        STREAM_KEY_SECRET: localSecret("stream-key-secret"),
      },
    });
  },

  async probe(): Promise<Probe> {
    try {
      const response = await fetch(statusUrl(), { signal: AbortSignal.timeout(2000) });
      const status = (await response.json()) as {
        services: unknown[];
        kafkaSources: unknown[];
        pingSources: unknown[];
      };
      if (!response.ok) return { up: false, reason: "some functions are not ready" };
      return {
        up: true,
        version: `${status.services.length} functions, ${status.kafkaSources.length + status.pingSources.length} sources`,
      };
    } catch (error) {
      return { up: false, reason: (error as Error).message };
    }
  },
};
