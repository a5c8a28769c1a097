// Benchmark (not a test): cold start and idle memory of every function in knative/. Each
// Service's process is spawned as the local activator spawns it (scale from zero), timed from
// spawn to its first answered request (/healthz, or an accepted connection for gRPC), then its
// resident memory after a moment idle; the baseline is a bare functions-framework "hello"
// function measured the same way in the same run. Needs the platform up (npm start): functions
// connect to the real servers as they start.
//   npm run bench:cold-start   (BENCH_COLD_START_RUNS=3: the median of that many starts)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FunctionProcess, freePort } from "../local/src/eventing/functions.ts";
import { loadManifests } from "../local/src/eventing/manifests.ts";
import { type LocalService, topology } from "../local/src/eventing/topology.ts";
import { logDir, repoRoot } from "../local/src/paths.ts";
import { localSecret } from "../local/src/servers/platform.ts";
import { printLine } from "./lib/stats.ts";

const RUNS = Number(process.env.BENCH_COLD_START_RUNS ?? 3);
const TARGET = 1.5;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

async function measure(service: LocalService): Promise<{ startMs: number; rss: number }> {
  const starts: number[] = [];
  const rss: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const fn = new FunctionProcess(service, join(logDir, "bench"), () => undefined);
    const port = await freePort();
    const began = performance.now();
    await fn.start(port);
    starts.push(performance.now() - began);
    await sleep(1000);
    if (fn.pid) rss.push(rssMiB(fn.pid));
    await fn.stop();
  }
  return { startMs: median(starts), rss: median(rss) };
}

async function main(): Promise<void> {
  process.env.JWT_SECRET = localSecret("jwt-secret");
  const layout = topology(loadManifests([join(repoRoot, "knative")]));
  // Their peers where the running platform has them (the gRPC addresses).
  for (const s of layout.services)
    process.env[`SERVICE_${s.name.toUpperCase().replace(/-/g, "_")}_ADDRESS`] ??=
      `127.0.0.1:${s.port}`;
  const hello = topology(
    loadManifests([join(repoRoot, "local", "test", "fixtures", "scale-to-zero")]),
  );
  const baselineService = hello.services[0];
  if (!baselineService) throw new Error("no hello fixture");

  console.log(`cold start, median of ${RUNS}: a bare "hello" function first …`);
  const baseline = await measure(baselineService);
  console.log(`  hello: ${Math.round(baseline.startMs)} ms, ${baseline.rss.toFixed(0)} MiB`);
  const results: { name: string; startMs: number; rss: number }[] = [];
  for (const service of layout.services) {
    const result = await measure(service);
    results.push({ name: service.name, ...result });
    console.log(
      `  ${service.name}: ${Math.round(result.startMs)} ms, ${result.rss.toFixed(0)} MiB`,
    );
  }
  for (const result of results)
    printLine({
      name: `cold start ${result.name}`,
      figure: result.startMs,
      baseline: baseline.startMs,
      unit: "ms",
      better: "lower",
      target: `ratio ≤ ${TARGET}`,
      met: result.startMs / baseline.startMs <= TARGET,
    });
  for (const result of results)
    printLine({
      name: `idle memory ${result.name}`,
      figure: result.rss,
      baseline: baseline.rss,
      unit: "MiB RSS",
      better: "lower",
      target: "(reported)",
      met: true,
    });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
