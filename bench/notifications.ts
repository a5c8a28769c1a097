// Benchmark (not a test): notifications. Needs the platform up (npm start).
//   npm run bench:notifications   (BENCH_FANOUT_SUBSCRIBERS=100000, BENCH_SSE_CONNECTIONS=1000)
// Figures:
//   - fan-out of one event.live to N followers: the fan-out (ListSubscribers over gRPC, inbox
//     entries in MongoDB, a notification.created each on Kafka, acknowledged) run in this process
//     on a database and topic of its own, against a bare insertMany of the same rows in the same
//     run; targets ratio ≤ 2 and under 10 s;
//   - SSE delivery: C connections through the edge to stream-server's gateway, one
//     notification.created each on the notifications topic, p99 from publish to arrival < 1 s.
import "./lib/internal-token.ts";
import { randomBytes } from "node:crypto";
import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { createEvent, physicalTopic, serviceUrls, signSession } from "@stream-platform/shared";
import { SubscriptionsClient } from "@stream-platform/shared/grpc";
import { createKafka, EventPublisher, ensureTopics } from "@stream-platform/shared/kafka";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { api, platformServiceAddress, uniqueSlug } from "@stream-platform/shared/testing";
import pg from "pg";
import { insertBulk, insertSignedIn, removeBulk } from "../functions/accounts/test/bulk-fixture.ts";
import { Fanout } from "../functions/notifications/src/fanout.ts";
import { type InboxEntry, InboxStore } from "../functions/notifications/src/store.ts";
import { localSecret } from "../local/src/servers/platform.ts";
import { benchUser, deleteBenchAccounts } from "./lib/accounts.ts";
import { printLine, summarize } from "./lib/stats.ts";

const FOLLOWERS = Number(process.env.BENCH_FANOUT_SUBSCRIBERS ?? 100_000);
const CONNECTIONS = Number(process.env.BENCH_SSE_CONNECTIONS ?? 1000);
const runId = randomBytes(4).toString("hex");

async function fanoutBench(): Promise<void> {
  const tag = `bench${runId}`;
  const db = new pg.Client({ connectionString: serviceUrls().databaseUrl });
  await db.connect();
  const mongo = createMongoClient();
  const database = mongo.db(`bench_notifications_${runId}`);
  const prefix = `bench-${runId}-`;
  const kafka = createKafka("bench-notifications");
  await ensureTopics(kafka, [physicalTopic("notifications", prefix)]);
  const publisher = new EventPublisher(kafka, prefix);
  const subscriptions = new SubscriptionsClient(await platformServiceAddress("accounts-grpc"));
  try {
    const owner = await benchUser("bench-fanout");
    const channel = await api<{ id: string }>("/api/channels", {
      token: owner.token,
      body: { slug: uniqueSlug("bench"), title: "Fan-out bench" },
    });
    const channelId = channel.body.id;
    console.log(`fan-out: inserting ${FOLLOWERS.toLocaleString()} followers …`);
    await insertBulk(db, { tag, channelId, count: FOLLOWERS });

    const store = new InboxStore(database);
    await store.ensureIndexes();
    // The bench's followers asked for no mail: only inboxes and CloudEvents are measured.
    const fanout = new Fanout(
      store,
      { withoutRecommendations: async () => new Set<string>() },
      subscriptions,
      publisher,
      { queueFor: async () => 0 },
      async () => "Fan-out bench",
    );
    const live = createEvent({
      type: "streamplatform.event.live",
      source: "/bench/notifications",
      subject: "evt_bench00000001",
      data: {
        eventId: "evt_bench00000001",
        channelId,
        title: "Bench live",
        startsAt: new Date().toISOString(),
        status: "live",
        version: 2,
      },
    });
    console.log("fan-out: one event.live …");
    const start = performance.now();
    const told = await fanout.notify("event.live", live);
    const fanoutMs = performance.now() - start;
    const stored = await store.inbox.countDocuments({});
    if (told !== FOLLOWERS || stored !== FOLLOWERS)
      throw new Error(`told ${told}, stored ${stored}, expected ${FOLLOWERS}`);

    console.log("baseline: insertMany of the same rows …");
    const baseline = database.collection<InboxEntry>("baseline");
    await baseline.createIndex({ userId: 1, createdAt: -1, _id: -1 });
    const rows = await store.inbox.find({}).toArray();
    const bareStart = performance.now();
    for (let i = 0; i < rows.length; i += 1000) {
      await baseline.insertMany(rows.slice(i, i + 1000), { ordered: false });
    }
    const bareMs = performance.now() - bareStart;
    printLine({
      name: `fan-out to ${FOLLOWERS.toLocaleString()} (inbox + Kafka)`,
      figure: fanoutMs / 1000,
      baseline: bareMs / 1000,
      unit: "s",
      better: "lower",
      target: "ratio ≤ 2, < 10 s",
      met: fanoutMs / bareMs <= 2 && fanoutMs < 10_000,
    });
  } finally {
    subscriptions.close();
    await publisher.disconnect();
    // FerretDB deletes 100,000 documents slowly: dropping the database is instant.
    await database.dropDatabase();
    await mongo.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: [physicalTopic("notifications", prefix)] })
      .catch(() => undefined);
    await admin.disconnect();
    await removeBulk(db, tag);
    await db.end();
  }
}

async function sseBench(): Promise<void> {
  // Real accounts and sessions, made at database speed (1,000 sign-ups would measure Argon2),
  // with tokens signed with the platform's local secret: the gateway checks both exist.
  process.env.JWT_SECRET = localSecret("jwt-secret");
  const tag = `benchsse${runId}`;
  const db = new pg.Client({ connectionString: serviceUrls().databaseUrl });
  await db.connect();
  try {
    await sseRun(await insertSignedIn(db, tag, CONNECTIONS));
  } finally {
    await removeBulk(db, tag);
    await db.end();
  }
}

async function sseRun(sessions: { userId: string; sessionId: string }[]): Promise<void> {
  const users = sessions.map((s) => s.userId);
  const sessionOf = new Map(sessions.map((s) => [s.userId, s.sessionId]));
  const arrivals = new Map<string, number>();
  const streams: ClientRequest[] = [];
  console.log(`SSE: opening ${CONNECTIONS} connections through the edge …`);
  const edge = new URL(serviceUrls().edgeUrl);
  await Promise.all(
    users.map(async (userId, n) => {
      const token = await signSession(userId, sessionOf.get(userId) as string);
      // From addresses of their own (50 each), as many browsers are: the edge caps streams
      // per address (limit_conn).
      const localAddress = `127.0.${2 + Math.floor(n / 50 / 250)}.${2 + (Math.floor(n / 50) % 250)}`;
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = httpRequest(
          {
            host: edge.hostname,
            port: edge.port,
            path: "/api/me/notifications/stream",
            localAddress,
            headers: { authorization: `Bearer ${token}` },
          },
          resolve,
        );
        streams.push(req);
        req.on("error", reject);
        req.end();
      });
      if (response.statusCode !== 200) throw new Error(`stream answered ${response.statusCode}`);
      response.on("data", (chunk: Buffer) => {
        if (chunk.includes("event: notification")) arrivals.set(userId, Date.now());
      });
      response.on("error", () => undefined);
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const publisher = new EventPublisher(createKafka("bench-sse"));
  const sentAt = new Map<string, number>();
  console.log(`SSE: one notification.created to each …`);
  for (let i = 0; i < users.length; i += 100) {
    const batch = users.slice(i, i + 100);
    const now = Date.now();
    for (const userId of batch) sentAt.set(userId, now);
    await publisher.publish(
      batch.map((userId) => {
        const id = `ntf_${randomBytes(12).toString("hex")}`;
        return createEvent({
          id,
          type: "streamplatform.notification.created",
          source: "/bench/notifications",
          subject: userId,
          data: {
            notificationId: id,
            userId,
            kind: "event.live",
            eventId: "evt_bench00000001",
            title: "Bench",
            createdAt: new Date().toISOString(),
          },
        });
      }),
    );
  }
  const deadline = Date.now() + 30_000;
  while (arrivals.size < users.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await publisher.disconnect();
  for (const stream of streams) stream.destroy();
  const latencies = users.map(
    (u) => (arrivals.get(u) ?? Number.POSITIVE_INFINITY) - (sentAt.get(u) ?? 0),
  );
  const figures = summarize(latencies);
  printLine({
    name: `SSE delivery p99 (${CONNECTIONS} connections)`,
    figure: figures.p99,
    unit: "ms",
    better: "lower",
    target: "p99 < 1000 ms",
    met: figures.p99 < 1000 && arrivals.size === users.length,
    samples: { figure: latencies.filter(Number.isFinite) },
  });
  if (arrivals.size < users.length)
    console.log(`  only ${arrivals.size} of ${users.length} arrived`);
}

try {
  await fanoutBench();
  await sseBench();
} finally {
  await deleteBenchAccounts();
}
process.exit(0);
