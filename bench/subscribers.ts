// Benchmark (not a test): SubscriptionService.ListSubscribers streaming 100,000 subscribers of
// one channel through the platform's gRPC function, against a plain `pg` cursor reading the
// same rows in the same run. Needs the platform up (npm start).
//   npm run bench:subscribers        (BENCH_SUBSCRIBERS=100000, BENCH_REPEAT=3)
import "./lib/internal-token.ts";
import { randomBytes } from "node:crypto";
import { serviceUrls } from "@stream-platform/shared";
import { SubscriptionsClient } from "@stream-platform/shared/grpc";
import { api, platformServiceAddress, uniqueSlug } from "@stream-platform/shared/testing";
import pg from "pg";
import { insertBulk, removeBulk } from "../functions/accounts/test/bulk-fixture.ts";
import { benchUser, deleteBenchAccounts } from "./lib/accounts.ts";
import { printLine } from "./lib/stats.ts";

const COUNT = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const PAGE = 1000;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function cursorRead(db: pg.Client, channelId: string): Promise<number> {
  const start = performance.now();
  let rows = 0;
  await db.query("begin");
  await db.query(
    "declare subscribers no scroll cursor for select user_id from subscriptions where channel_id = $1 order by user_id",
    [channelId],
  );
  for (;;) {
    const page = await db.query(`fetch ${PAGE} from subscribers`);
    rows += page.rowCount ?? 0;
    if ((page.rowCount ?? 0) < PAGE) break;
  }
  await db.query("commit");
  if (rows !== COUNT) throw new Error(`cursor read ${rows} rows, expected ${COUNT}`);
  return (rows / (performance.now() - start)) * 1000;
}

async function grpcRead(client: SubscriptionsClient, channelId: string): Promise<number> {
  const start = performance.now();
  let count = 0;
  for await (const _ of client.listSubscribers([{ kind: "CHANNEL", id: channelId }])) count += 1;
  if (count !== COUNT) throw new Error(`ListSubscribers streamed ${count}, expected ${COUNT}`);
  return (count / (performance.now() - start)) * 1000;
}

const tag = `bench${randomBytes(3).toString("hex")}`;
const db = new pg.Client({ connectionString: serviceUrls().databaseUrl });
await db.connect();
const owner = await benchUser("bench-owner");
const channel = await api<{ id: string }>("/api/channels", {
  token: owner.token,
  body: { slug: uniqueSlug("bench"), title: "Bench" },
});
console.log(`inserting ${COUNT.toLocaleString()} subscribers …`);
await insertBulk(db, { tag, channelId: channel.body.id, count: COUNT });
const client = new SubscriptionsClient(await platformServiceAddress("accounts-grpc"));
try {
  // Warm-up: first reads bring pages into PostgreSQL's cache and JIT-compile both paths.
  await cursorRead(db, channel.body.id);
  await grpcRead(client, channel.body.id);
  const baseline: number[] = [];
  const platform: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    baseline.push(await cursorRead(db, channel.body.id));
    platform.push(await grpcRead(client, channel.body.id));
    process.stdout.write(`  run ${i + 1}/${REPEAT}\r`);
  }
  const figure = median(platform);
  const base = median(baseline);
  printLine({
    name: "ListSubscribers subscribers/s",
    figure,
    baseline: base,
    unit: "/s",
    better: "higher",
    target: "ratio ≥ 0.5",
    met: figure / base >= 0.5,
  });
} finally {
  client.close();
  await removeBulk(db, tag);
  await db.end();
  await deleteBenchAccounts();
}
process.exit(0);
