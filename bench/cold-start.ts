// Benchmark (not a test): cold start and idle memory of every function in knative/, run as the
// container image runs them: the production build (npm run build: bundles, plain node). Each
// Service's process is spawned as the local activator spawns it (scale from zero), timed from
// spawn to its first answered request (/healthz, or an accepted connection for gRPC), then its
// resident memory after a moment idle; the baseline is a bare functions-framework "hello"
// function measured the same way in the same run. Needs the platform up (npm start): functions
// connect to the real servers as they start.
//   npm run bench:cold-start   (BENCH_COLD_START_RUNS=9: the median of that many starts)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildFunctions, functionSources } from "../local/src/deploy/build.ts";
import { FunctionProcess, freePort } from "../local/src/eventing/functions.ts";
import { loadManifests } from "../local/src/eventing/manifests.ts";
import { type LocalService, peerAddresses, topology } from "../local/src/eventing/topology.ts";
import { logDir, repoRoot } from "../local/src/paths.ts";
import { localSecret } from "../local/src/servers/platform.ts";
import { printLine } from "./lib/stats.ts";

// Nine: with five, the machine's noise moved single ratios by ±0.15 between runs.
const RUNS = Number(process.env.BENCH_COLD_START_RUNS ?? 9);
const TARGET = 1.5;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

interface Sample {
  startMs: number;
  rss: number;
}

async function measureOnce(service: LocalService): Promise<Sample> {
  const fn = new FunctionProcess(service, join(logDir, "bench"), () => undefined);
  const port = await freePort();
  const began = performance.now();
  await fn.start(port);
  const startMs = performance.now() - began;
  await sleep(1000);
  const rss = fn.pid ? rssMiB(fn.pid) : Number.NaN;
  await fn.stop();
  return { startMs, rss };
}

/**
 * The function and the baseline, started in turns (the machine's load drifts over minutes, so
 * each function is compared with baseline starts taken beside its own): the medians of each.
 */
async function measurePaired(
  service: LocalService,
  baseline: LocalService,
): Promise<{ fn: Sample; baseline: Sample }> {
  const fn: Sample[] = [];
  const base: Sample[] = [];
  for (let run = 0; run < RUNS; run++) {
    base.push(await measureOnce(baseline));
    fn.push(await measureOnce(service));
  }
  const medians = (samples: Sample[]) => ({
    startMs: median(samples.map((sample) => sample.startMs)),
    rss: median(samples.map((sample) => sample.rss)),
  });
  return { fn: medians(fn), baseline: medians(base) };
}

async function main(): Promise<void> {
  process.env.JWT_SECRET = localSecret("jwt-secret");
  // The baseline is built and hosted exactly as the functions are.
  const dist = join(repoRoot, ".data", "bench", "dist");
  await buildFunctions(dist, [
    ...functionSources([join(repoRoot, "knative")]),
    "local/test/fixtures/hello.ts",
  ]);
  process.env.FUNCTIONS_DIST = dist;
  const layout = topology(loadManifests([join(repoRoot, "knative")]));
  // Their peers where the running platform has them (the gRPC addresses).
  for (const [variable, address] of Object.entries(peerAddresses(layout.services)))
    process.env[variable] ??= address;
  const hello = topology(
    loadManifests([join(repoRoot, "local", "test", "fixtures", "scale-to-zero")]),
  );
  const baselineService = hello.services[0];
  if (!baselineService) throw new Error("no hello fixture");

  console.log(
    `cold start (production build), median of ${RUNS}, each beside as many starts of a bare "hello" function …`,
  );
  const results: { name: string; fn: Sample; baseline: Sample }[] = [];
  const measure = async (name: string, service: LocalService) => {
    const result = await measurePaired(service, baselineService);
    results.push({ name, ...result });
    console.log(
      `  ${name}: ${Math.round(result.fn.startMs)} ms, ${result.fn.rss.toFixed(0)} MiB (hello: ${Math.round(result.baseline.startMs)} ms, ${result.baseline.rss.toFixed(0)} MiB)`,
    );
  };
  for (const service of layout.services) await measure(service.name, service);
  // With trace export configured (the same functions against the same bare "hello", without
  // it): spans are recorded from the start, and the OpenTelemetry SDK loads once the first
  // request is answered (shared/src/hosting/main.ts), so its import is not timed here but its
  // recorder of early spans is. Nothing needs to listen at the endpoint: spans leave in batches.
  console.log("… and with traces exported (OTEL_EXPORTER_OTLP_ENDPOINT set):");
  for (const service of layout.services)
    await measure(`${service.name}, tracing on`, {
      ...service,
      env: { ...service.env, OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" },
    });
  for (const result of results)
    printLine({
      name: `cold start ${result.name}`,
      figure: result.fn.startMs,
      baseline: result.baseline.startMs,
      unit: "ms",
      better: "lower",
      target: `ratio ≤ ${TARGET}`,
      met: result.fn.startMs / result.baseline.startMs <= TARGET,
    });
  for (const result of results)
    printLine({
      name: `idle memory ${result.name}`,
      figure: result.fn.rss,
      baseline: result.baseline.rss,
      unit: "MiB RSS",
      better: "lower",
      target: "none",
      met: "reported",
    });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
