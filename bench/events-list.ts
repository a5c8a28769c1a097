// Benchmark (not a test): the home page's shelves and the events lists at 100,000 stored events
// and 10,000 channels, through the events and analytics functions (their APIs and the events'
// gRPC server, in a runtime of the benchmark's own, on a MongoDB database and PostgreSQL schemas
// of their own, dropped afterwards), each against a baseline read of the same data in the same
// run (one after the other, alternating, so both see the same machine). Needs the servers up
// (npm start).
//   npm run bench:events   (BENCH_EVENTS_STORED=100000, BENCH_HISTORY_PEOPLE=10000 with 100
//                           history entries each, BENCH_QUERIES=200 per list at most,
//                           BENCH_LIST_SECONDS=90: a list stops sooner when its queries take
//                           that long in all, after 5 at least)
//
// The events are a platform's: most of them past (80% ended, over two years), 15% scheduled
// over the next 60 days, 5% cancelled, and a few live now (one in 2,000). They are stored in
// MongoDB as the events function stores them; its first start copies them into its list (the
// backfill of functions/events/src/listing.ts), timed here. The analytics store holds figures of
// every event (2% watched in the last hours: what Trending ranks) and a viewing history of 100
// entries for each of 10,000 people (1,000,000 rows), of whom 20 are real bench accounts that
// watched events of 10 real channels.
// The lists are those the web app asks for: the home page's shelves (web/src/pages/home.tsx:
// Continue watching, Live now, Trending, Upcoming, Recent recordings), a channel's page (its
// events, latest first, 50), and browsing (a channel's upcoming events, everything scheduled
// from a date, 20 at a time). For you has its own benchmark (bench:for-you).
// Target (issue #26): each p99 < 50 ms at 100,000 events; the ratio to the baseline is reported.
import "./lib/internal-token.ts";
import { createHash, randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serviceUrls } from "@stream-platform/shared";
import { START_GRACE_MS } from "@stream-platform/shared/api";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { createPool, createSchemaPool, migrateSchema } from "@stream-platform/shared/postgres";
import { api, platformServiceAddress, type TestUser } from "@stream-platform/shared/testing";
import { localSecret } from "../local/src/servers/platform.ts";
import { benchUsers, deleteBenchAccounts } from "./lib/accounts.ts";
import { type BenchRuntime, startBenchRuntime } from "./lib/runtime.ts";
import { printLine, summarize } from "./lib/stats.ts";

const STORED = Number(process.env.BENCH_EVENTS_STORED ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const LIST_SECONDS = Number(process.env.BENCH_LIST_SECONDS ?? 90);
const MIN_QUERIES = 5;
const CHANNELS = 10_000;
/** Channels of real accounts (their events are the bench people's history). */
const REAL_CHANNELS = 10;
const PEOPLE = 20;
const FILLER_PEOPLE = Number(process.env.BENCH_HISTORY_PEOPLE ?? 10_000);
const ENTRIES_EACH = 100;
const TARGET_P99_MS = 50;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const PORT = 18400;

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const mongo = createMongoClient();
const runId = randomUUID().slice(0, 8);
const database = `bench_events_${runId}`;
const eventsSchema = `bench_events_${runId}`;
const analyticsSchema = `bench_analytics_${runId}`;
const admin = createPool(undefined, 1);
// The baselines: the functions' own tables, read straight.
const lists = createSchemaPool(serviceUrls().databaseUrl, eventsSchema, 1);
const history = createSchemaPool(serviceUrls().databaseUrl, analyticsSchema, 1);
const db = mongo.db(database);
const events = db.collection<{ _id: string } & Record<string, unknown>>("events");
const stats = db.collection<{ _id: string } & Record<string, unknown>>("stats");

/** A number in [0, 1) of `n` and `salt`, the same every run. */
const spread = (n: number, salt: string) =>
  createHash("sha1").update(`${salt}${n}`).digest().readUInt32BE(0) / 2 ** 32;
const now = Date.now();
const eventId = (n: number) => `evt_bench${runId}${n.toString(36).padStart(6, "0")}`;

/** The n-th event's status and start: mostly past, some upcoming, a few live now. */
function lifeOf(n: number): { status: string; startsAt: number } {
  const r = spread(n, "time");
  if (n % 2000 === 0) return { status: "live", startsAt: now - r * 3 * HOUR };
  const kind = spread(n, "status");
  if (kind < 0.8) return { status: "ended", startsAt: now - HOUR - r * 730 * DAY };
  if (kind < 0.95) return { status: "scheduled", startsAt: now + HOUR + r * 60 * DAY };
  return { status: "cancelled", startsAt: now + (r - 0.75) * 800 * DAY };
}

/** The events, their figures (Trending's input) and the people's history, stored as the functions keep them. */
async function seed(channels: string[], people: TestUser[]): Promise<void> {
  console.log(`storing ${STORED.toLocaleString()} events and their figures …`);
  const watchable: string[] = [];
  const minute = (ago: number) => new Date(now - ago).toISOString().slice(0, 16);
  for (let done = 0; done < STORED; done += 1000) {
    const ns = Array.from({ length: Math.min(1000, STORED - done) }, (_, i) => done + i);
    const channelOf = (n: number) => Math.floor(spread(n, "channel") * CHANNELS);
    await events.insertMany(
      ns.map((n) => {
        const { status, startsAt } = lifeOf(n);
        const at = new Date(startsAt);
        if (channelOf(n) < REAL_CHANNELS) watchable.push(eventId(n));
        return {
          _id: eventId(n),
          channelId: channels[channelOf(n)],
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
      }),
    );
    // Figures as the aggregator keeps them: 2% watched in the last hours, the rest long ago.
    await stats.insertMany(
      ns.map((n) => {
        const recent = spread(n, "watched") < 0.02;
        const ago = recent ? spread(n, "ago") * 5 * HOUR : 2 * DAY + spread(n, "ago") * 300 * DAY;
        return {
          _id: eventId(n),
          channelId: channels[channelOf(n)],
          live: lifeOf(n).status === "live",
          minutes: Object.fromEntries(
            [0, 1, 2].map((m) => [
              minute(ago + m * 60_000),
              { viewers: 1 + Math.floor(spread(n, `v${m}`) * 50) },
            ]),
          ),
          updatedAt: new Date(now - ago),
        };
      }),
    );
    if (done % 20_000 === 0) process.stdout.write(`  ${done.toLocaleString()}\r`);
  }
  console.log(`storing ${(FILLER_PEOPLE * ENTRIES_EACH).toLocaleString()} history entries …`);
  await migrateSchema(history, analyticsSchema, join(repo, "functions/analytics/migrations"));
  // Everyone else's, then the bench people's: each watched the events of the real channels.
  await history.query(
    `insert into history (user_id, event_id, watched_seconds, position, updated_at)
     select 'filler-' || p, 'evt_filler' || (p * $1 + e), 60, 60,
            now() - make_interval(mins => (p * 7 + e * 13) % 86400)
     from generate_series(1, $2) p, generate_series(1, $1) e`,
    [ENTRIES_EACH, FILLER_PEOPLE],
  );
  const rows = people.flatMap((person, p) =>
    watchable.slice(0, ENTRIES_EACH).map((id, e) => ({
      user: person.id,
      event: id,
      at: new Date(now - spread(p * 1000 + e, "history") * 60 * DAY),
    })),
  );
  await history.query(
    `insert into history (user_id, event_id, watched_seconds, position, duration, updated_at)
     select u, e, 300, 290, 1800, t from unnest($1::text[], $2::text[], $3::timestamptz[]) as x(u, e, t)`,
    [rows.map((r) => r.user), rows.map((r) => r.event), rows.map((r) => r.at)],
  );
  await history.query("analyze history");
}

type Query = Record<string, string>;
/** One request of a list, and its baseline read: each returns the milliseconds it took. */
interface List {
  name: string;
  viaFunction: (i: number) => Promise<number>;
  baseline: (i: number) => Promise<number>;
  /** What the baseline is, for the report. */
  baselineIs: string;
  /** A baseline of seconds (a scan): taken MIN_QUERIES times only, the function every time. */
  slowBaseline?: boolean;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function get(url: string, token?: string): Promise<void> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
}

/** The same list read straight from the events function's table: one index range. */
function bareList(q: Query): Promise<unknown> {
  const params: unknown[] = [];
  const where = ["view is not null"];
  if (q.status) where.push(`status = $${params.push(q.status)}`);
  if (q.channelId) where.push(`channel_id = $${params.push(q.channelId)}`);
  if (q.from) where.push(`starts_at >= $${params.push(q.from)}`);
  const direction = q.order === "desc" ? "desc" : "asc";
  return lists.query(
    `select view from listing where ${where.join(" and ")}
     order by starts_at ${direction}, id ${direction} limit ${Number(q.limit) + 1}`,
    params,
  );
}

function eventsList(bench: BenchRuntime, name: string, query: (i: number) => Query): List {
  return {
    name,
    viaFunction: (i) =>
      timed(() => get(`${bench.url("events")}/api/events?${new URLSearchParams(query(i))}`)),
    baseline: (i) => timed(() => bareList(query(i))),
    baselineIs: "the list's rows read straight (pg)",
  };
}

function shelves(bench: BenchRuntime, channels: string[], people: TestUser[]): List[] {
  const person = (i: number) => people[i % people.length] as TestUser;
  const upcoming = (): Query => ({
    status: "scheduled",
    from: new Date(Date.now() - START_GRACE_MS).toISOString(),
    limit: "12",
  });
  return [
    // The home page's shelves, as web/src/pages/home.tsx and its components ask for them.
    {
      name: "Continue watching shelf",
      viaFunction: (i) =>
        timed(() => get(`${bench.url("analytics")}/api/me/history?limit=50`, person(i).token)),
      baseline: (i) =>
        timed(() =>
          history.query(
            `select * from history where user_id = $1 and not hidden
             order by updated_at desc, event_id desc limit 51`,
            [person(i).id],
          ),
        ),
      baselineIs: "the person's rows read straight (pg)",
    },
    eventsList(bench, "Live now shelf", () => ({ status: "live", order: "desc", limit: "12" })),
    {
      name: "Trending shelf",
      viaFunction: () =>
        timed(() => get(`${bench.url("analytics")}/api/analytics/trending?limit=16`)),
      // What the function ranks from, read with the driver (its background look).
      baseline: () =>
        timed(() =>
          stats
            .find(
              { updatedAt: { $gte: new Date(Date.now() - 6 * HOUR) } },
              { projection: { channelId: 1, live: 1, minutes: 1 } },
            )
            .toArray(),
        ),
      baselineIs: "the figures of the window read with the driver",
      slowBaseline: true,
    },
    eventsList(bench, "Upcoming shelf", upcoming),
    eventsList(bench, "Recordings shelf", () => ({
      status: "ended",
      order: "desc",
      limit: "12",
    })),
    // A channel's page (web/src/pages/channel.tsx): its events, latest first.
    eventsList(bench, "channel page", (i) => ({
      channelId: channels[(i * 7) % CHANNELS] as string,
      order: "desc",
      limit: "50",
    })),
    // Browsing: a channel's upcoming events, and everything scheduled from a date, 20 at a time.
    eventsList(
      bench,
      "events list",
      (i): Query =>
        i % 2 === 0
          ? { channelId: channels[i % CHANNELS] as string, status: "scheduled", limit: "20" }
          : {
              status: "scheduled",
              from: new Date(now + (i % 50) * DAY).toISOString(),
              limit: "20",
            },
    ),
  ];
}

console.log(
  "target (issue #26): the home shelves and `GET /api/events` lists p99 < 50 ms at 100,000 events",
);
let bench: BenchRuntime | undefined;
try {
  const people = await benchUsers(PEOPLE, "Shelves", (n) =>
    process.stdout.write(`  accounts: ${n}/${PEOPLE}\r`),
  );
  const owner = people[0] as TestUser;
  const real: string[] = [];
  for (let c = 0; c < REAL_CHANNELS; c++) {
    const made = await api<{ id: string }>("/api/channels", {
      token: owner.token,
      body: { slug: `shelves-${runId}-${c}`, title: `Shelves ${c}` },
    });
    if (made.status !== 201) throw new Error(`POST /api/channels answered ${made.status}`);
    real.push(made.body.id);
  }
  const channels = [...real, ...Array.from({ length: CHANNELS - REAL_CHANNELS }, randomUUID)];
  await seed(channels, people);

  // Started only now, so that the events function's first start finds them all to copy.
  const started = performance.now();
  Object.assign(process.env, {
    EVENTS_DB: database,
    EVENTS_DB_SCHEMA: eventsSchema,
    ANALYTICS_DB: database,
    ANALYTICS_DB_SCHEMA: analyticsSchema,
    // Requests to the instances are not activity to the activator: not scaled to zero mid-run.
    LOCAL_SCALE_TO_ZERO_AFTER: "1h",
    // Sessions checked with the platform's accounts.
    JWT_SECRET: localSecret("jwt-secret"),
    SERVICE_ACCOUNTS_GRPC_ADDRESS: await platformServiceAddress("accounts-grpc"),
  });
  bench = await startBenchRuntime({
    files: ["events.yaml", "analytics.yaml"],
    services: ["events", "events-grpc", "analytics"],
    basePort: PORT,
    topicPrefix: `bench-shelves-${runId}-`,
  });
  // Its first answer waits for the copy (a proxy giving up meanwhile is asked again).
  for (;;) {
    const response = await fetch(`${bench.url("events")}/api/events?limit=1`);
    await response.arrayBuffer();
    if (response.status === 200) break;
    if (performance.now() - started > 15 * 60_000)
      throw new Error(`GET /api/events still answers ${response.status} after 15 minutes`);
  }
  const firstAnswer = (performance.now() - started) / 1000;
  console.log(`  first answer, the events list copied from MongoDB: ${firstAnswer.toFixed(1)} s`);

  const LISTS = shelves(bench, channels, people);
  // Warm-up, then alternate the two paths so both see the same machine.
  for (const list of LISTS)
    for (let i = 0; i < 3; i++) {
      await list.viaFunction(i);
      if (!list.slowBaseline || i === 0) await list.baseline(i);
    }
  console.log("");
  const lines: Parameters<typeof printLine>[0][] = [];
  const size = `${STORED / 1000}k`;
  for (const list of LISTS) {
    const fn: number[] = [];
    const bare: number[] = [];
    const began = performance.now();
    for (let i = 0; i < QUERIES; i++) {
      if (i >= MIN_QUERIES && performance.now() - began > LIST_SECONDS * 1000) break;
      fn.push(await list.viaFunction(i));
      if (!list.slowBaseline || i < MIN_QUERIES) bare.push(await list.baseline(i));
      process.stdout.write(`  ${list.name}: ${i + 1}/${QUERIES}\r`);
    }
    const f = summarize(fn);
    const b = summarize(bare);
    console.log(
      `  ${list.name}: ${fn.length} queries (baseline ${bare.length})${fn.length < QUERIES ? ` (stopped at ${LIST_SECONDS} s)` : ""}, max ${f.max.toFixed(0)} ms; baseline: ${list.baselineIs}`.padEnd(
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
        target: `p99 < ${TARGET_P99_MS} ms`,
        met: f.p99 < TARGET_P99_MS,
      },
    );
  }
  console.log("");
  printLine({
    name: `first answer, its list copied from ${size} stored events`,
    figure: firstAnswer,
    unit: "s",
    better: "lower",
    target: "none",
    met: "reported",
  });
  for (const line of lines) printLine(line);
} finally {
  await bench?.stop();
  await deleteBenchAccounts();
  await db.dropDatabase();
  for (const schema of [eventsSchema, analyticsSchema])
    await admin.query(`drop schema if exists ${schema} cascade`);
  await Promise.all([lists.end(), history.end(), admin.end()]);
  await mongo.close();
}
process.exit(0);
