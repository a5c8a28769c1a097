// The platform's own processes: every Knative Service of knative/ as a function process, with
// the KafkaSources and PingSources that feed them (local/src/eventing/main.ts).
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { LOCAL_HOST, localPorts } from "@stream-platform/shared";
import { dataDir, repoRoot } from "../paths.ts";
import { startDaemon } from "../proc.ts";
import { traceExportEnv } from "./trace-export.ts";
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

/**
 * A fingerprint of the code the platform runs (names, sizes and times of its source files), so
 * `up` can tell that a running platform is out of date and restart it.
 */
export function codeFingerprint(
  dirs = ["shared", "functions", "local/src", "knative", "protos"],
): string {
  const hash = createHash("sha1");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(path);
        hash.update(`${path}:${stat.size}:${stat.mtimeMs}\n`);
      }
    }
  };
  for (const dir of dirs) walk(join(repoRoot, dir));
  return hash.digest("hex").slice(0, 16);
}

const statusUrl = () => `http://${LOCAL_HOST}:${localPorts().platform}/`;

export const platform: Server = {
  name: "platform",
  title: "Functions and eventing (Knative, locally)",
  dependsOn: ["postgres", "mongodb", "kafka", "elasticsearch", "mailpit"],
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
        INGRESS_TOKEN: localSecret("ingress-token"),
        INTERNAL_TOKEN: localSecret("internal-token"),
        PLATFORM_FINGERPRINT: codeFingerprint(),
        // Spans to the local Jaeger (the functions inherit it from the runtime).
        ...traceExportEnv(),
      },
    });
  },

  async stale() {
    try {
      const status = (await (
        await fetch(statusUrl(), { signal: AbortSignal.timeout(2000) })
      ).json()) as { fingerprint?: string };
      return status.fingerprint !== codeFingerprint();
    } catch {
      return false;
    }
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
