// stream-server (the stateful tier) as a daemon: RTMP ingest on RTMP_PORT, HLS into .data/hls
// (which the edge serves at /hls/), CloudEvents to Kafka, gRPC to the platform's functions.
import { join } from "node:path";
import { LOCAL_HOST, localPorts } from "@stream-platform/shared";
import { loadManifests } from "../eventing/manifests.ts";
import { peerAddresses, topology } from "../eventing/topology.ts";
import { repoRoot } from "../paths.ts";
import { startDaemon } from "../proc.ts";
import { hlsDir } from "./nginx.ts";
import { codeFingerprint, localSecret } from "./platform.ts";
import { traceExportEnv } from "./trace-export.ts";
import type { Probe, Server } from "./types.ts";

const fingerprint = () => codeFingerprint(["shared", "stream-server/src"]);
const statusUrl = () => `http://${LOCAL_HOST}:${localPorts().streamServer}`;

/** Where the platform runs the gRPC Services stream-server calls. */
function grpcAddresses(): Record<string, string> {
  const layout = topology(loadManifests([join(repoRoot, "knative")]));
  return peerAddresses(layout.services.filter((s) => s.name.endsWith("-grpc")));
}

export const streamServer: Server = {
  name: "stream-server",
  title: "stream-server (RTMP ingest, HLS)",
  dependsOn: ["platform", "nginx"],
  startupTimeoutSeconds: 30,
  address: () => `rtmp://${LOCAL_HOST}:${localPorts().rtmp}/live`,
  port: () => localPorts().rtmp,
  portVariable: "RTMP_PORT",
  external: () => false,

  async provision() {
    // ffmpeg comes with the tools (Debian); npm packages with local/bootstrap.mjs.
  },

  async start() {
    startDaemon({
      name: "stream-server",
      command: process.execPath,
      args: ["--import", "tsx", join(repoRoot, "stream-server", "src", "main.ts")],
      cwd: repoRoot,
      env: {
        ...grpcAddresses(),
        HLS_DIR: hlsDir,
        RTMP_PORT: String(localPorts().rtmp),
        RTMP_BIND: LOCAL_HOST,
        // RTMPS ends at the edge, which passes the publisher's address in a PROXY header.
        RTMP_PROXY_PORT: String(localPorts().rtmpProxy),
        RTMP_PROXY_TRUSTED: LOCAL_HOST,
        STREAM_SERVER_PORT: String(localPorts().streamServer),
        STREAM_SERVER_FINGERPRINT: fingerprint(),
        ...traceExportEnv(),
        // A live stream's sign of life every 5 s here (30 s in a cluster), so the ingest test
        // sees some within its 20 s stream.
        STREAM_ALIVE_SECONDS: "5",
        // Verifies the session tokens of notification streams (never printed).
        JWT_SECRET: localSecret("jwt-secret"),
        // It calls gRPC servers (stream keys, current events), which require it.
        INTERNAL_TOKEN: localSecret("internal-token"),
      },
    });
  },

  async stale() {
    try {
      const health = (await (
        await fetch(`${statusUrl()}/healthz`, { signal: AbortSignal.timeout(2000) })
      ).json()) as { fingerprint?: string };
      return health.fingerprint !== fingerprint();
    } catch {
      return false;
    }
  },

  async probe(): Promise<Probe> {
    try {
      const response = await fetch(`${statusUrl()}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (!response.ok) return { up: false, reason: `/healthz answered ${response.status}` };
      return { up: true, version: `status ${statusUrl()}` };
    } catch (error) {
      return { up: false, reason: (error as Error).message };
    }
  },
};
