// The platform's own processes: every Knative Service of knative/ as a function process, with
// the KafkaSources and PingSources that feed them (local/src/eventing/main.ts).
import { join } from "node:path";
import { LOCAL_HOST, localPorts } from "@stream-platform/shared";
import { repoRoot } from "../paths.ts";
import { startDaemon } from "../proc.ts";
import type { Probe, Server } from "./types.ts";

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
