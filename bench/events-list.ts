// Benchmark (not a test): the events lists at 100,000 stored events through the events function
// (its own instance, on a MongoDB database and a PostgreSQL schema of its own, both dropped
// afterwards: deleting 100,000 documents one by one takes FerretDB minutes), each against the
// same list read straight from the function's list table with the bare `pg` driver in the same
// run (one after the other, alternating, so both see the same machine). Needs the servers up
// (npm start).
//   npm run bench:events   (BENCH_EVENTS_STORED=100000, BENCH_QUERIES=200 per list at most,
//                           BENCH_LIST_SECONDS=90: a list stops sooner when its queries take
//                           that long in all, after 5 at least)
//
// The events are a platform's: most of them past (80% ended, over two years), 15% scheduled
// over the next 60 days, 5% cancelled, and a few live now (one in 2,000), on 10,000 channels.
// They are stored in MongoDB as the function stores them; the function's first start copies
// them into its list (the backfill of functions/events/src/listing.ts), timed here. The lists
// are those the web app asks for: the home page's shelves (web/src/pages/home.tsx: Live now,
// Upcoming, Recent recordings, 12 each), a channel's page (its events, latest first, 50), and
// browsing (a channel's upcoming events, everything scheduled from a date, 20 at a time).
// Target (issue #26): each list p99 < 50 ms at 100,000 events; the ratio to the bare read is
// reported (the function's HTTP hop against a sub-millisecond index read).
import "./lib/internal-token.ts";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serviceUrls } from "@stream-platform/shared";
import { START_GRACE_MS } from "@stream-platform/shared/api";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { createPool, createSchemaPool } from "@stream-platform/shared/postgres";
import { startRuntime } from "../local/src/eventing/runtime.ts";
import { logDir } from "../local/src/paths.ts";
import { printLine, summarize } from "./lib/stats.ts";

const STORED = Number(process.env.BENCH_EVENTS_STORED ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const LIST_SECONDS = Number(process.env.BENCH_LIST_SECONDS ?? 90);
const MIN_QUERIES = 5;
const CHANNELS = 10_000;
const TARGET_P99_MS = 50;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const mongo = createMongoClient();
const runId = randomUUID().slice(0, 8);
const database = `bench_events_${runId}`;
// The function's list, in a schema of the platform's database; read here as the baseline.
const schema = `bench_events_${runId}`;
const admin = createPool(undefined, 1);
const lists = createSchemaPool(serviceUrls().databaseUrl, schema, 1);
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
            - name: EVENTS_DB_SCHEMA
              value: ${schema}
`,
);
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
  // A channel's page (web/src/pages/channel.tsx): its events, latest first.
  {
    name: "channel page",
    query: (i) => ({
      channelId: channels[(i * 7) % CHANNELS] as string,
      order: "desc",
      limit: "50",
    }),
  },
];

async function viaFunction(q: Query): Promise<number> {
  const start = performance.now();
  const response = await fetch(`http://127.0.0.1:${PORT}/api/events?${new URLSearchParams(q)}`);
  await response.json();
  if (response.status !== 200) throw new Error(`GET /api/events answered ${response.status}`);
  return performance.now() - start;
}

/** The same list read straight from the function's table: one index range. */
async function viaBareRead(q: Query): Promise<number> {
  const start = performance.now();
  const params: unknown[] = [];
  const where = ["view is not null"];
  if (q.status) where.push(`status = $${params.push(q.status)}`);
  if (q.channelId) where.push(`channel_id = $${params.push(q.channelId)}`);
  if (q.from) where.push(`starts_at >= $${params.push(q.from)}`);
  const direction = q.order === "desc" ? "desc" : "asc";
  await lists.query(
    `select view from listing where ${where.join(" and ")}
     order by starts_at ${direction}, id ${direction} limit ${Number(q.limit) + 1}`,
    params,
  );
  return performance.now() - start;
}

let runtime: Awaited<ReturnType<typeof startRuntime>> | undefined;
try {
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

  // Started only now, so that its first start finds them all to copy into its list.
  const started = performance.now();
  runtime = await startRuntime({
    dirs: [manifests],
    basePort: PORT,
    statusPort: 0,
    logDir: join(logDir, "bench"),
  });
  // Its first answer waits for the copy (a proxy giving up meanwhile is asked again).
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${PORT}/api/events?limit=1`);
    await response.arrayBuffer();
    if (response.status === 200) break;
    if (performance.now() - started > 15 * 60_000)
      throw new Error(`GET /api/events still answers ${response.status} after 15 minutes`);
  }
  const firstAnswer = (performance.now() - started) / 1000;
  console.log(`  first answer, its list copied from MongoDB: ${firstAnswer.toFixed(1)} s`);

  // Warm-up, then alternate the two paths so both see the same machine.
  for (const list of LISTS)
    for (let i = 0; i < 3; i++) {
      await viaFunction(list.query(i));
      await viaBareRead(list.query(i));
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
      bare.push(await viaBareRead(q));
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
        target: "none",
        met: "reported",
        samples: { figure: fn, baseline: bare },
      },
      {
        name: `${list.name} p99 (${size})`,
        figure: f.p99,
        baseline: b.p99,
        unit: "ms",
        better: "lower",
        target: "none",
        met: "reported",
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
  printLine({
    name: `first answer, its list copied from ${STORED / 1000}k stored events`,
    figure: firstAnswer,
    unit: "s",
    better: "lower",
    target: "none",
    met: "reported",
  });
  for (const line of lines) printLine(line);
} finally {
  await runtime?.stop();
  await mongo.db(database).dropDatabase();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await Promise.all([lists.end(), admin.end()]);
  rmSync(manifests, { recursive: true, force: true });
  await mongo.close();
}
process.exit(0);
