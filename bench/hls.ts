// Benchmark (not a test): HLS segments served by the edge. Many concurrent players fetch a
// segment from /hls/ (CORS, cache headers, the byte-range-capable static path), against the same
// NGINX serving the same bytes as a plain static file (the web app's hls.js chunk in /assets/), in
// the same run, alternating, two rounds each. The load comes from wrk (Debian's, installed when
// missing): a Node client topped out near 1,000 requests/s, so it measured itself, not NGINX.
// Needs the platform up (npm start).
//   npm run bench:hls   (BENCH_HLS_CLIENTS=200 concurrent keep-alive connections, BENCH_HLS_SECONDS=5)
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { serviceUrls } from "@stream-platform/shared";
import { ensureDebianPackages } from "../local/src/provision/apt.ts";
import { hlsDir } from "../local/src/servers/nginx.ts";
import { webDist } from "../local/src/servers/web.ts";
import { printLine } from "./lib/stats.ts";

const CLIENTS = Number(process.env.BENCH_HLS_CLIENTS ?? 200);
const SECONDS = Number(process.env.BENCH_HLS_SECONDS ?? 5);
const run = promisify(execFile);

interface Load {
  rps: number;
  p50: number;
  p99: number;
}

/** wrk's "1.23ms" / "850.00us" / "1.02s" in milliseconds. */
function ms(text: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!match) throw new Error(`wrk printed a latency I cannot read: ${text}`);
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

async function load(url: string, seconds: number): Promise<Load> {
  const { stdout } = await run("wrk", [
    ...["-t", "2", "-c", String(CLIENTS), "-d", `${seconds}s`, "--latency"],
    url,
  ]);
  const failed =
    /Non-2xx or 3xx responses: (\d+)/.exec(stdout) ?? /Socket errors: (.*)/.exec(stdout);
  if (failed) throw new Error(`requests to ${url} failed: ${failed[0]}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const p50 = /^\s+50%\s+(\S+)/m.exec(stdout);
  const p99 = /^\s+99%\s+(\S+)/m.exec(stdout);
  if (!rps || !p50 || !p99) throw new Error(`wrk printed no figures:\n${stdout}`);
  return { rps: Number(rps[1]), p50: ms(p50[1] ?? ""), p99: ms(p99[1] ?? "") };
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
    await ensureDebianPackages("wrk", ["wrk"]);
    console.log(`warm-up, then ${CLIENTS} connections, ${SECONDS} s a round, two rounds each …`);
    await load(segment, 1);
    await load(plain, 1);
    const hls = { rps: [] as number[], p99: [] as number[] };
    const stat = { rps: [] as number[], p99: [] as number[] };
    for (let round = 0; round < 2; round++) {
      for (const [url, into] of [
        [segment, hls],
        [plain, stat],
      ] as const) {
        const result = await load(url, SECONDS);
        into.rps.push(result.rps);
        into.p99.push(result.p99);
        console.log(
          `  ${url === segment ? "/hls/ segment" : "static file"}: ${Math.round(result.rps)} req/s`,
        );
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const figure = mean(hls.rps);
    const baseline = mean(stat.rps);
    printLine({
      name: `HLS segment requests/s (${CLIENTS} connections)`,
      figure,
      baseline,
      unit: "req/s",
      better: "higher",
      target: "ratio ≥ 0.9",
      met: figure / baseline >= 0.9,
    });
    printLine({
      name: "HLS segment latency p99",
      figure: mean(hls.p99),
      baseline: mean(stat.p99),
      unit: "ms",
      better: "lower",
      target: "none",
      met: "reported",
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
