// `npm run bench`: every benchmark in bench/ against the real servers (brought up first), one
// after another, each printing its figures against the baseline it measured in the same run.
// Writes bench/results/latest.json and bench/results/report.html (self-contained, with charts).
//   npm run bench                       full size, each benchmark once (--repeat N: N times)
//   npm run bench -- --quick            smaller sizes: the whole run in under 5 minutes
//   npm run bench -- --only search      one benchmark (names below; repeatable)
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../local/src/paths.ts";
import { type Result, renderReport } from "./lib/report.ts";
import { verdict } from "./lib/stats.ts";

interface Benchmark {
  name: string;
  script: string;
  what: string;
  /** Sizes for --quick (each benchmark's own variables; see its header). */
  quick: Record<string, string>;
}

const BENCHMARKS: Benchmark[] = [
  {
    name: "eventing",
    script: "eventing.ts",
    what: "CloudEvents through /ce and the local eventing vs raw kafkajs",
    quick: { BENCH_EVENTS: "5000", BENCH_SECONDS: "5", BENCH_OVERLOAD_SECONDS: "10" },
  },
  {
    name: "ingest",
    script: "ingest.ts",
    what: "RTMP → HLS playlist latency, ladder encoding speed vs bare ffmpeg",
    quick: { BENCH_INGEST_SECONDS: "10" },
  },
  {
    name: "search",
    script: "search.ts",
    what: "search/suggest latency vs Elasticsearch direct, indexing via Kafka vs bulk",
    quick: {
      BENCH_SEARCH_EVENTS: "10000",
      BENCH_SEARCH_KAFKA_EVENTS: "2000",
      BENCH_SEARCH_QUERIES: "100",
    },
  },
  {
    name: "events-list",
    script: "events-list.ts",
    what: "every home shelf and the events lists at 100k events vs a bare read of the same rows",
    quick: {
      BENCH_EVENTS_STORED: "10000",
      BENCH_HISTORY_PEOPLE: "1000",
      BENCH_QUERIES: "50",
      BENCH_LIST_SECONDS: "20",
    },
  },
  {
    name: "subscribers",
    script: "subscribers.ts",
    what: "ListSubscribers streaming (gRPC) vs a pg cursor",
    quick: { BENCH_SUBSCRIBERS: "20000", BENCH_REPEAT: "1" },
  },
  {
    name: "notifications",
    script: "notifications.ts",
    what: "fan-out to followers vs bare insertMany, SSE delivery",
    quick: { BENCH_FANOUT_SUBSCRIBERS: "10000", BENCH_SSE_CONNECTIONS: "200" },
  },
  {
    name: "analytics",
    script: "analytics.ts",
    what: "heartbeat aggregation throughput and lag vs a raw kafkajs consumer",
    quick: {
      BENCH_ANALYTICS_RATES: "5000,10000",
      BENCH_ANALYTICS_SECONDS: "6",
      BENCH_ANALYTICS_VIEWERS: "5000",
    },
  },
  {
    name: "chat",
    script: "chat.ts",
    what: "chat delivery to 5,000 SSE clients in one room, one and two gateways",
    quick: { BENCH_CHAT_CLIENTS: "500", BENCH_CHAT_SECONDS: "10" },
  },
  {
    name: "hls",
    script: "hls.ts",
    what: "HLS segments from NGINX vs a plain static file",
    quick: { BENCH_HLS_SECONDS: "2" },
  },
  {
    name: "recommendations",
    script: "recommendations.ts",
    what: "For you: precision@10 and recall@10 vs a popularity baseline, build and rank time",
    quick: { BENCH_RECS_VIEWS: "30000", BENCH_RECS_USERS: "1500", BENCH_RECS_ITEMS: "3000" },
  },
  {
    name: "for-you",
    script: "for-you.ts",
    what: "For you (GET /api/me/recommendations) latency at 10,000 people × 100 views, warm",
    quick: {
      BENCH_FOR_YOU_PEOPLE: "1000",
      BENCH_FOR_YOU_VIEWS: "20",
      BENCH_FOR_YOU_ITEMS: "5000",
      BENCH_FOR_YOU_ACCOUNTS: "20",
      BENCH_FOR_YOU_REQUESTS: "500",
      BENCH_FOR_YOU_SECONDS: "60",
    },
  },
  {
    name: "cold-start",
    script: "cold-start.ts",
    what: "cold start and idle memory per function vs a bare hello function",
    quick: { BENCH_COLD_START_RUNS: "1" },
  },
];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", multiple: true },
    repeat: { type: "string", default: "1" },
  },
});
const unknown = (values.only ?? []).filter((name) => !BENCHMARKS.some((b) => b.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark(s): ${unknown.join(", ")}; known: ${BENCHMARKS.map((b) => b.name).join(", ")}`,
  );
  process.exit(2);
}
const selected = BENCHMARKS.filter((b) => !values.only || values.only.includes(b.name));
const repeat = Math.max(1, Number(values.repeat));

const resultsDir = join(repoRoot, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
const linesFile = join(resultsDir, `.lines-${process.pid}.jsonl`);

function bar(done: number, total: number, width = 24): string {
  const filled = Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}

function run(command: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  console.log("bringing the servers up (npm run infra -- up) …");
  if ((await run("npx", ["tsx", "local/src/cli.ts", "up"], {})) !== 0) process.exit(1);
  const started = Date.now();
  const outcomes: { name: string; ok: boolean; seconds: number }[] = [];
  const total = selected.length * repeat;
  let done = 0;
  for (const benchmark of selected) {
    for (let round = 1; round <= repeat; round++) {
      console.log(
        `\n${bar(done, total)} ${benchmark.name}${repeat > 1 ? ` (round ${round}/${repeat})` : ""}: ${benchmark.what}`,
      );
      const began = Date.now();
      const code = await run("npx", ["tsx", join("bench", benchmark.script)], {
        ...(values.quick ? benchmark.quick : {}),
        BENCH_RESULTS_FILE: linesFile,
        BENCH_NAME: benchmark.name,
      });
      done += 1;
      outcomes.push({ name: benchmark.name, ok: code === 0, seconds: (Date.now() - began) / 1000 });
      if (code !== 0) console.log(`  ${benchmark.name} failed (exit ${code}); going on`);
    }
  }
  console.log(`\n${bar(done, total)} done in ${Math.round((Date.now() - started) / 1000)} s`);

  const results: Result[] = existsSync(linesFile)
    ? readFileSync(linesFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Result)
    : [];
  rmSync(linesFile, { force: true });
  const report = {
    at: new Date().toISOString(),
    mode: values.quick ? "quick" : "full",
    machine: {
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    benchmarks: outcomes,
    results,
  };
  writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(resultsDir, "report.html"), renderReport(report));
  console.log("\nsummary (figure, same-run baseline, ratio, target):");
  for (const r of results)
    console.log(
      `  ${`${r.bench}: ${r.name}`.padEnd(56)} ${r.ratio === undefined ? "".padEnd(12) : `ratio ${r.ratio.toFixed(2)}`.padEnd(12)} ${verdict(r)}`,
    );
  console.log("\nwrote bench/results/latest.json and bench/results/report.html");
  if (outcomes.some((o) => !o.ok)) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
