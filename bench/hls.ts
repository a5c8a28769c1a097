// Benchmark (not a test): HLS segments served by the edge. Many concurrent players fetch a
// segment from /hls/ (CORS, cache headers, the byte-range-capable static path), against the same
// NGINX serving the same bytes as a plain static file (the web app's hls.js chunk in /assets/), in the same run,
// alternating, two rounds each. Needs the platform up (npm start).
//   npm run bench:hls   (BENCH_HLS_CLIENTS=200 concurrent keep-alive clients, BENCH_HLS_SECONDS=5)
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { serviceUrls } from "@stream-platform/shared";
import { Agent, request } from "undici";
import { hlsDir } from "../local/src/servers/nginx.ts";
import { webDist } from "../local/src/servers/web.ts";
import { printLine, summarize } from "./lib/stats.ts";

const CLIENTS = Number(process.env.BENCH_HLS_CLIENTS ?? 200);
const SECONDS = Number(process.env.BENCH_HLS_SECONDS ?? 5);

async function load(url: string, seconds: number): Promise<{ rps: number; latencies: number[] }> {
  const agent = new Agent({ connections: CLIENTS, pipelining: 1 });
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  let failed = 0;
  const client = async () => {
    while (performance.now() < until) {
      const began = performance.now();
      const response = await request(url, { dispatcher: agent });
      await response.body.arrayBuffer();
      if (response.statusCode === 200) latencies.push(performance.now() - began);
      else failed += 1;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const elapsed = performance.now() - start;
  await agent.close();
  if (failed > 0) throw new Error(`${failed} requests to ${url} failed`);
  return { rps: (latencies.length / elapsed) * 1000, latencies };
}

async function main(): Promise<void> {
  const edge = serviceUrls().edgeUrl;
  const asset = readdirSync(join(webDist, "assets")).find((name) => name.startsWith("hls-"));
  if (!asset) throw new Error("no hls.js chunk in web/dist/assets: run npm start (it builds web/)");
  const source = join(webDist, "assets", asset);
  const folder = join(hlsDir, `bench-hls-${Date.now().toString(36)}`);
  mkdirSync(folder, { recursive: true });
  // The same bytes as the static file: only the location's handling differs.
  copyFileSync(source, join(folder, "segment0.ts"));
  const segment = `${edge}/hls/${folder.split("/").pop()}/segment0.ts`;
  const plain = `${edge}/assets/${asset}`;
  try {
    console.log(`warm-up, then ${CLIENTS} clients, ${SECONDS} s a round, two rounds each …`);
    await load(segment, 1);
    await load(plain, 1);
    const hls = { rps: [] as number[], latencies: [] as number[] };
    const stat = { rps: [] as number[], latencies: [] as number[] };
    for (let round = 0; round < 2; round++) {
      for (const [url, into] of [
        [segment, hls],
        [plain, stat],
      ] as const) {
        const result = await load(url, SECONDS);
        into.rps.push(result.rps);
        into.latencies.push(...result.latencies);
        console.log(
          `  ${url === segment ? "/hls/ segment" : "static file"}: ${Math.round(result.rps)} req/s`,
        );
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const figure = mean(hls.rps);
    const baseline = mean(stat.rps);
    printLine({
      name: `HLS segment requests/s (${CLIENTS} clients)`,
      figure,
      baseline,
      unit: "req/s",
      better: "higher",
      target: "ratio ≥ 0.9",
      met: figure / baseline >= 0.9,
    });
    const h = summarize(hls.latencies);
    const s = summarize(stat.latencies);
    printLine({
      name: "HLS segment latency p99",
      figure: h.p99,
      baseline: s.p99,
      unit: "ms",
      better: "lower",
      target: "none",
      met: "reported",
      samples: { figure: hls.latencies, baseline: stat.latencies },
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
