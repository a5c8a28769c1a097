// An edge of a benchmark's own: the platform's NGINX configuration (local/nginx/
// edge.conf.template, as the local edge renders it) on another port, serving another HLS folder
// and sending the LL-HLS requests that wait to the benchmark's stream-server. The web app and
// the API are the platform's, so a watch page plays what the benchmark's stream-server writes.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../local/src/proc.ts";
import { renderEdgeConfig } from "../../local/src/servers/nginx.ts";
import { ownChild } from "./children.ts";

export interface BenchEdge {
  url: string;
  stop(): Promise<void>;
}

export async function startBenchEdge(options: {
  /** Its work folder (config, temp files, logs). */
  dir: string;
  port: number;
  hlsDir: string;
  /** host:port of the stream-server it sends the waiting LL-HLS requests to. */
  streamServer: string;
}): Promise<BenchEdge> {
  const { dir, port } = options;
  for (const sub of ["tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi", "logs"])
    mkdirSync(join(dir, sub), { recursive: true });
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    renderEdgeConfig({
      PREFIX: dir,
      LOG_DIR: join(dir, "logs"),
      PORT: String(port),
      HLS_DIR: options.hlsDir,
      STREAM_SERVER: options.streamServer,
      // No HTTPS and no RTMPS: their ports are the platform edge's.
      TLS_LISTEN: "",
      STREAM: "",
    }),
  );
  const args = ["-p", dir, "-c", conf, "-e", "stderr"];
  await run("nginx", [...args, "-t", "-q"], { server: "bench edge", fix: "see the error above" });
  // Its error log in its folder: the watch page's cards ask for posters of the platform's
  // events, which this edge does not have (404s NGINX logs as errors).
  const child = ownChild(
    spawn("nginx", [...args, "-g", `daemon off; error_log ${join(dir, "logs", "error.log")};`], {
      stdio: "ignore",
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`the bench edge did not come up on ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGQUIT");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
