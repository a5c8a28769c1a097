// NGINX from Debian: the edge on port 8080, configured from local/nginx/edge.conf.template.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOCAL_HOST, localPorts, serviceUrls } from "@stream-platform/shared";
import { loadManifests } from "../eventing/manifests.ts";
import { topology } from "../eventing/topology.ts";
import { dataDir, logDir, repoRoot } from "../paths.ts";
import { run, startDaemon } from "../proc.ts";
import { ensureDebianPackages } from "../provision/apt.ts";
import { edgeLimits, requestLimits } from "./edge-limits.ts";
import {
  concurrencyLimits,
  edgeLocations,
  edgeRoutes,
  keepaliveOf,
  upstreamOf,
} from "./edge-routes.ts";
import { edgeTls, ensureEdgeCertificate } from "./tls.ts";
import type { Probe, Server } from "./types.ts";
import { buildWeb, webDist } from "./web.ts";

const prefix = join(dataDir, "nginx");
const confFile = join(prefix, "nginx.conf");
export const hlsDir = join(dataDir, "hls");

function nginxVersion(): string {
  // `nginx -v` prints "nginx version: nginx/1.22.1" on stderr.
  const out = spawnSync("nginx", ["-v"], { encoding: "utf8" });
  return /nginx\/(\S+)/.exec(`${out.stderr}${out.stdout}`)?.[1] ?? "unknown";
}

/**
 * One upstream per Knative Service, at the address `at` gives it. Idle connections are closed
 * by the edge after 4 s, before Node's 5 s (its keepAliveTimeout) can close one just as the
 * edge sends a request on it: NGINX does not resend a POST, and the caller would get a 502.
 */
export function upstreams(at: (service: { name: string; port: number }) => string): string {
  const manifests = loadManifests([join(repoRoot, "knative")]);
  const routes = edgeRoutes(manifests);
  return topology(manifests)
    .services.map(
      (s) =>
        `  upstream ${upstreamOf(s.name)} {\n    server ${at(s)};\n    keepalive ${keepaliveOf(routes, s.name)};\n    keepalive_timeout 4s;\n  }`,
    )
    .join("\n");
}

/** NGINX's stream module (RTMP and RTMPS), a dynamic module in Debian (libnginx-mod-stream). */
export const STREAM_MODULE = "load_module /usr/lib/nginx/modules/ngx_stream_module.so;";

/**
 * RTMP at the edge (NGINX's stream module): each listener hands the connection to
 * stream-server's PROXY protocol port, so stream-server sees the publisher's own address (its
 * publish limit is per address; without the header every publisher would be the edge). A
 * listener given `tls` ends RTMPS here: stream keys never cross the network in clear.
 */
export function rtmpStreamBlock(options: {
  upstream: string;
  listeners: { listen: string; tls?: { cert: string; key: string } }[];
  /** Docker's DNS, so that every stream-server instance is found. */
  resolver?: string;
}): string {
  const servers = options.listeners.map(({ listen, tls }) =>
    [
      "  server {",
      `    listen ${listen}${tls ? " ssl" : ""};`,
      ...(tls
        ? [
            `    ssl_certificate ${tls.cert};`,
            `    ssl_certificate_key ${tls.key};`,
            "    ssl_protocols TLSv1.2 TLSv1.3;",
            // A publisher that never finishes its handshake holds no connection for long.
            "    ssl_handshake_timeout 10s;",
          ]
        : []),
      "    proxy_pass rtmp;",
      "    proxy_protocol on;",
      "    proxy_timeout 1h;",
      "  }",
    ].join("\n"),
  );
  return [
    "# RTMP from OBS (stream-server instances balanced; one publisher stays on the instance its",
    "# connection reached), with the publisher's address in a PROXY protocol header.",
    "stream {",
    ...(options.resolver ? [`  resolver ${options.resolver} valid=10s;`] : []),
    "  upstream rtmp {",
    "    least_conn;",
    `    server ${options.upstream};`,
    "  }",
    ...servers,
    "}",
  ].join("\n");
}

/** An HTTPS listener beside the edge's HTTP one (HSTS and Secure cookies go with it). */
export const tlsListen = (listen: string, tls: { cert: string; key: string }) =>
  [
    `    listen ${listen} ssl;`,
    `    ssl_certificate ${tls.cert};`,
    `    ssl_certificate_key ${tls.key};`,
    "    ssl_protocols TLSv1.2 TLSv1.3;",
  ].join("\n");

/** The edge's nginx.conf; `overrides` place it elsewhere (the Compose edge, say). */
export function renderEdgeConfig(overrides: Record<string, string> = {}): string {
  const template = readFileSync(join(repoRoot, "local", "nginx", "edge.conf.template"), "utf8");
  const values: Record<string, string> = {
    PREFIX: prefix,
    LOG_DIR: logDir,
    HOST: LOCAL_HOST,
    PORT: String(localPorts().edge),
    HLS_DIR: hlsDir,
    WEB_DIR: webDist,
    // Workers of a root master default to `nobody`, who may not read a clone under /root.
    USER: process.getuid?.() === 0 ? "user root;" : "",
    UPSTREAMS: upstreams((s) => `${LOCAL_HOST}:${s.port}`),
    STREAM_SERVER: `${LOCAL_HOST}:${localPorts().streamServer}`,
    // The same wherever the edge runs: only upstream addresses differ.
    API_LOCATIONS: edgeLocations(edgeRoutes()),
    REQUEST_LIMITS: requestLimits(edgeLimits()),
    CONCURRENCY_LIMITS: concurrencyLimits(edgeRoutes()),
    MODULES: STREAM_MODULE,
    // HTTPS beside HTTP (HSTS and Secure cookies go with it: X-Forwarded-Proto is https).
    TLS_LISTEN: tlsListen(`${LOCAL_HOST}:${localPorts().edgeTls}`, edgeTls()),
    // RTMPS only: plain RTMP goes straight to stream-server locally (RTMP_PORT).
    STREAM: rtmpStreamBlock({
      upstream: `${LOCAL_HOST}:${localPorts().rtmpProxy}`,
      listeners: [{ listen: `${LOCAL_HOST}:${localPorts().rtmps}`, tls: edgeTls() }],
    }),
    ...overrides,
  };
  // A placeholder alone on its line and given nothing takes its line with it.
  const lines = template.replace(/^\{\{(\w+)\}\}\n/gm, (line, key: string) =>
    values[key] === "" ? "" : line,
  );
  return lines.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`edge.conf.template: unknown placeholder {{${key}}}`);
    return value;
  });
}

export const nginx: Server = {
  name: "nginx",
  title: "NGINX (edge)",
  dependsOn: [],
  startupTimeoutSeconds: 15,
  address: () => serviceUrls().edgeUrl,
  port: () => localPorts().edge,
  portVariable: "EDGE_PORT",
  external: () => false,

  async provision() {
    await ensureDebianPackages("nginx", ["nginx", "libnginx-mod-stream", "openssl"]);
    // What it serves at /: rebuilt whenever web/ changed (no restart needed).
    await buildWeb();
  },

  async start() {
    for (const dir of ["tmp", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"]) {
      mkdirSync(join(prefix, dir), { recursive: true });
    }
    mkdirSync(hlsDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    await ensureEdgeCertificate();
    writeFileSync(confFile, renderEdgeConfig());
    const args = ["-p", prefix, "-c", confFile, "-e", "stderr"];
    await run("nginx", [...args, "-t", "-q"], {
      server: "nginx",
      fix: "fix local/nginx/edge.conf.template (the generated file is .data/nginx/nginx.conf)",
    });
    // In the foreground so the pid we track is the master's.
    startDaemon({ name: "nginx", command: "nginx", args: [...args, "-g", "daemon off;"] });
  },

  /** The template or the Services of knative/ changed since the running config was written. */
  async stale() {
    return !existsSync(confFile) || readFileSync(confFile, "utf8") !== renderEdgeConfig();
  },

  async probe(): Promise<Probe> {
    try {
      const response = await fetch(`${serviceUrls().edgeUrl}/healthz`, {
        signal: AbortSignal.timeout(2000),
      });
      if (!response.ok) return { up: false, reason: `/healthz answered ${response.status}` };
      return { up: true, version: nginxVersion() };
    } catch (error) {
      return { up: false, reason: (error as Error).message };
    }
  },
};
