// Benchmark (not a test): the events lists at 100,000 stored events through the events function
// (its own instance, on a database of its own that is dropped afterwards: deleting 100,000
// documents one by one takes FerretDB minutes), each against the same query sent with the bare
// `mongodb` driver in the same run (one after the other, alternating, so both see the same
// machine). Needs the servers up (npm start).
//   npm run bench:events   (BENCH_EVENTS_STORED=100000, BENCH_QUERIES=200 per list at most,
//                           BENCH_LIST_SECONDS=90: a list stops sooner when its queries take
//                           that long in all, after 5 at least)
//
// The events are a platform's: most of them past (80% ended, over two years), 15% scheduled
// over the next 60 days, 5% cancelled, and a few live now (one in 2,000), on 100 channels. The
// lists are those the web app asks for: the home page's shelves (web/src/pages/home.tsx: Live
// now, Upcoming, Recent recordings, 12 each) and browsing (a channel's upcoming events,
// everything scheduled from a date, 20 at a time).
// Targets (issue #26): each list p99 < 50 ms at 100,000 events; and the function's ratio to
// the bare driver ≤ 1.5.
import "./lib/internal-token.ts";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { START_GRACE_MS } from "@stream-platform/shared/api";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { startRuntime } from "../local/src/eventing/runtime.ts";
import { logDir } from "../local/src/paths.ts";
import { printLine, summarize } from "./lib/stats.ts";

const STORED = Number(process.env.BENCH_EVENTS_STORED ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const LIST_SECONDS = Number(process.env.BENCH_LIST_SECONDS ?? 90);
const MIN_QUERIES = 5;
const CHANNELS = 100;
const TARGET_P99_MS = 50;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

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
/** A number in [0, 1) of `n` and `salt`, the same every run. */
const spread = (n: number, salt: string) =>
  createHash("sha1").update(`${salt}${n}`).digest().readUInt32BE(0) / 2 ** 32;
const now = Date.now();

/** The n-th event's status and start: mostly past, some upcoming, a few live now. */
function lifeOf(n: number): { status: string; startsAt: number } {
  const r = spread(n, "time");
  if (n % 2000 === 0) return { status: "live", startsAt: now - r * 3 * HOUR };
  const kind = spread(n, "status");
  if (kind < 0.8) return { status: "ended", startsAt: now - HOUR - r * 730 * DAY };
  if (kind < 0.95) return { status: "scheduled", startsAt: now + HOUR + r * 60 * DAY };
  return { status: "cancelled", startsAt: now + (r - 0.75) * 800 * DAY };
}

console.log(
  "target (issue #26): the home shelves and `GET /api/events` lists p99 < 50 ms at 100,000 events",
);
console.log(`storing ${STORED.toLocaleString()} events …`);
for (let done = 0; done < STORED; done += 1000) {
  const batch = Array.from({ length: Math.min(1000, STORED - done) }, (_, i) => {
    const n = done + i;
    const { status, startsAt } = lifeOf(n);
    const at = new Date(startsAt);
    return {
      _id: `evt_bench${runId}${n.toString(36).padStart(6, "0")}`,
      channelId: channels[Math.floor(spread(n, "channel") * CHANNELS)],
      ownerId: randomUUID(),
      title: `Bench event ${n}`,
      description: "",
      tags: ["bench"],
      startsAt: at,
      status,
      version: 1,
      createdAt: at,
      updatedAt: at,
      applied: [],
    };
  });
  await events.insertMany(batch);
  if (done % 20_000 === 0) process.stdout.write(`  ${done.toLocaleString()}\r`);
}

type Query = Record<string, string>;

interface List {
  name: string;
  /** The i-th query of the list (a time in it is taken when it is asked). */
  query: (i: number) => Query;
}

const LISTS: List[] = [
  {
    // Browsing: a channel's upcoming events, and everything scheduled from a date, 20 at a time.
    name: "events list",
    query: (i): Query =>
      i % 2 === 0
        ? { channelId: channels[i % CHANNELS] as string, status: "scheduled", limit: "20" }
        : {
            status: "scheduled",
            from: new Date(now + (i % 50) * DAY).toISOString(),
            limit: "20",
          },
  },
  // The home page's shelves, as web/src/pages/home.tsx asks for them.
  { name: "Live now shelf", query: () => ({ status: "live", order: "desc", limit: "12" }) },
  {
    name: "Upcoming shelf",
    query: () => ({
      status: "scheduled",
      from: new Date(Date.now() - START_GRACE_MS).toISOString(),
      limit: "12",
    }),
  },
  {
    name: "Recordings shelf",
    query: () => ({ status: "ended", order: "desc", limit: "12" }),
  },
];

async function viaFunction(q: Query): Promise<number> {
  const start = performance.now();
  const response = await fetch(`http://127.0.0.1:${PORT}/api/events?${new URLSearchParams(q)}`);
  await response.json();
  if (response.status !== 200) throw new Error(`GET /api/events answered ${response.status}`);
  return performance.now() - start;
}

/** What the events store sends for the same list (functions/events/src/store.ts list). */
async function viaDriver(q: Query): Promise<number> {
  const start = performance.now();
  const filter: Record<string, unknown> = { status: q.status };
  if (q.channelId) filter.channelId = q.channelId;
  if (q.from) filter.startsAt = { $gte: new Date(q.from) };
  const direction = q.order === "desc" ? -1 : 1;
  await events
    .find(filter, { projection: { outbox: 0, outboxCount: 0, applied: 0 } })
    .sort({ startsAt: direction, _id: direction })
    .limit(Number(q.limit) + 1)
    .toArray();
  return performance.now() - start;
}

try {
  // Warm-up, then alternate the two paths so both see the same machine.
  for (const list of LISTS)
    for (let i = 0; i < 3; i++) {
      await viaFunction(list.query(i));
      await viaDriver(list.query(i));
    }
  console.log("");
  const lines: Parameters<typeof printLine>[0][] = [];
  for (const list of LISTS) {
    const fn: number[] = [];
    const bare: number[] = [];
    const began = performance.now();
    for (let i = 0; i < QUERIES; i++) {
      if (i >= MIN_QUERIES && performance.now() - began > LIST_SECONDS * 1000) break;
      const q = list.query(i);
      fn.push(await viaFunction(q));
      bare.push(await viaDriver(q));
      process.stdout.write(`  ${list.name}: ${i + 1}/${QUERIES}\r`);
    }
    const f = summarize(fn);
    const b = summarize(bare);
    const size = `${STORED / 1000}k`;
    console.log(
      `  ${list.name}: ${fn.length} queries each way${fn.length < QUERIES ? ` (stopped at ${LIST_SECONDS} s)` : ""}, max ${f.max.toFixed(0)} ms`.padEnd(
        60,
      ),
    );
    lines.push(
      {
        name: `${list.name} p50 (${size})`,
        figure: f.p50,
        baseline: b.p50,
        unit: "ms",
        better: "lower",
        target: "ratio ≤ 1.5",
        met: f.p50 / b.p50 <= 1.5,
        samples: { figure: fn, baseline: bare },
      },
      {
        name: `${list.name} p99 (${size})`,
        figure: f.p99,
        baseline: b.p99,
        unit: "ms",
        better: "lower",
        target: "ratio ≤ 1.5",
        met: f.p99 / b.p99 <= 1.5,
      },
      {
        name: `${list.name} p99 (${size}), absolute`,
        figure: f.p99,
        unit: "ms",
        better: "lower",
        target: `p99 < ${TARGET_P99_MS} ms`,
        met: f.p99 < TARGET_P99_MS,
      },
    );
  }
  console.log("");
  for (const line of lines) printLine(line);
} finally {
  await runtime.stop();
  await mongo.db(database).dropDatabase();
  rmSync(manifests, { recursive: true, force: true });
  await mongo.close();
}
process.exit(0);
