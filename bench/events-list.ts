// Benchmark (not a test): the events list query at 100,000 stored events through the events
// function (its own instance, on a database of its own that is dropped afterwards: deleting
// 100,000 documents one by one takes FerretDB minutes), against the same query sent with the
// bare `mongodb` driver in the same run. Needs the servers up (npm start).
//   npm run bench:events              (BENCH_EVENTS_STORED=100000, BENCH_QUERIES=200)
import "./lib/internal-token.ts";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { startRuntime } from "../local/src/eventing/runtime.ts";
import { logDir } from "../local/src/paths.ts";
import { printLine, summarize } from "./lib/stats.ts";

const STORED = Number(process.env.BENCH_EVENTS_STORED ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const CHANNELS = 100;

const mongo = createMongoClient();
const runId = randomUUID().slice(0, 8);
const database = `bench_events_${runId}`;
const events = mongo.db(database).collection<{ _id: string } & Record<string, unknown>>("events");
const PORT = 18400;

const manifests = mkdtempSync(join(tmpdir(), "bench-events-"));
writeFileSync(
  join(manifests, "events.yaml"),
  `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: bench-events
spec:
  template:
    spec:
      containers:
        - image: ghcr.io/stream-platform/functions:latest
          env:
            - name: FUNCTION_SOURCE
              value: functions/events/src/index.ts
            - name: FUNCTION_TARGET
              value: api
            - name: EVENTS_DB
              value: ${database}
`,
);
const runtime = await startRuntime({
  dirs: [manifests],
  basePort: PORT,
  statusPort: 0,
  logDir: join(logDir, "bench"),
});
const channels = Array.from({ length: CHANNELS }, () => randomUUID());
const statuses = ["scheduled", "scheduled", "scheduled", "live", "ended", "cancelled"];

console.log(`storing ${STORED.toLocaleString()} events …`);
const base = Date.UTC(2031, 0, 1);
for (let done = 0; done < STORED; done += 1000) {
  const batch = Array.from({ length: Math.min(1000, STORED - done) }, (_, i) => {
    const n = done + i;
    const startsAt = new Date(base + (n % 5000) * 3600_000);
    return {
      _id: `evt_bench${runId}${n.toString(36).padStart(6, "0")}`,
      channelId: channels[n % CHANNELS],
      ownerId: randomUUID(),
      title: `Bench event ${n}`,
      description: "",
      tags: ["bench"],
      startsAt,
      status: statuses[n % statuses.length],
      version: 1,
      createdAt: startsAt,
      updatedAt: startsAt,
      applied: [],
    };
  });
  await events.insertMany(batch);
  if (done % 20_000 === 0) process.stdout.write(`  ${done.toLocaleString()}\r`);
}

// The queries a viewer's browsing makes: a channel's upcoming events, and everything scheduled
// from a date, 20 at a time.
const queries = Array.from({ length: QUERIES }, (_, i) => {
  const channelId = channels[i % CHANNELS] as string;
  const from = new Date(base + (i % 50) * 24 * 3600_000).toISOString();
  const query: Record<string, string> =
    i % 2 === 0 ? { channelId, status: "scheduled" } : { status: "scheduled", from };
  return query;
});

async function viaFunction(q: Record<string, string>): Promise<number> {
  const start = performance.now();
  const response = await fetch(
    `http://127.0.0.1:${PORT}/api/events?${new URLSearchParams({ ...q, limit: "20" })}`,
  );
  await response.json();
  if (response.status !== 200) throw new Error(`GET /api/events answered ${response.status}`);
  return performance.now() - start;
}

async function viaDriver(q: Record<string, string>): Promise<number> {
  const start = performance.now();
  const filter: Record<string, unknown> = { status: q.status };
  if (q.channelId) filter.channelId = q.channelId;
  if (q.from) filter.startsAt = { $gte: new Date(q.from) };
  await events
    .find(filter, { projection: { outbox: 0, outboxCount: 0, applied: 0 } })
    .sort({ startsAt: 1, _id: 1 })
    .limit(21)
    .toArray();
  return performance.now() - start;
}

try {
  // Warm-up, then alternate the two paths so both see the same machine.
  for (const q of queries.slice(0, 5)) {
    await viaFunction(q);
    await viaDriver(q);
  }
  const fn: number[] = [];
  const bare: number[] = [];
  for (const q of queries) {
    fn.push(await viaFunction(q));
    bare.push(await viaDriver(q));
  }
  const f = summarize(fn);
  const b = summarize(bare);
  console.log("");
  printLine({
    name: `events list p50 (${STORED / 1000}k stored)`,
    figure: f.p50,
    baseline: b.p50,
    unit: "ms",
    better: "lower",
    target: "ratio ≤ 1.5",
    met: f.p50 / b.p50 <= 1.5,
    samples: { figure: fn, baseline: bare },
  });
  printLine({
    name: `events list p99 (${STORED / 1000}k stored)`,
    figure: f.p99,
    baseline: b.p99,
    unit: "ms",
    better: "lower",
    target: "ratio ≤ 1.5",
    met: f.p99 / b.p99 <= 1.5,
  });
} finally {
  await runtime.stop();
  await mongo.db(database).dropDatabase();
  rmSync(manifests, { recursive: true, force: true });
  await mongo.close();
}
process.exit(0);
