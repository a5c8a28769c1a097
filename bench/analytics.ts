import { type CloudEventV1, physicalTopic, toHttpBatch } from "@stream-platform/shared";
import "./lib/internal-token.ts";
import { createKafka } from "@stream-platform/shared/kafka";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import {
  api,
  platformServiceAddress,
  uniqueSlug,
  viewTokenFor,
} from "@stream-platform/shared/testing";
import { localSecret } from "../local/src/servers/platform.ts";
import { benchUser, deleteBenchAccounts } from "./lib/accounts.ts";
import { startBenchRuntime } from "./lib/runtime.ts";
import { printLine, summarize } from "./lib/stats.ts";

const RATES = (process.env.BENCH_ANALYTICS_RATES ?? "5000,7500,10000,12500,15000,20000")
  .split(",")
  .map(Number);
const SECONDS = Number(process.env.BENCH_ANALYTICS_SECONDS ?? 15);
const VIEWERS = Number(process.env.BENCH_ANALYTICS_VIEWERS ?? 20_000);
const EVENTS = Number(process.env.BENCH_ANALYTICS_EVENTS ?? 20);
const PER_REQUEST = 2000;
const TICK_MS = 100;
const BASE_PORT = 18700;
const MAX_LAG_MS = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cumulative counts over time: when did the count first reach n? */
class Progress {
  readonly points: { at: number; count: number }[] = [];
  record(count: number, at = performance.now()): void {
    const last = this.points.at(-1);
    if (!last || count > last.count) this.points.push({ at, count });
  }
  get count(): number {
    return this.points.at(-1)?.count ?? 0;
  }
  reached(n: number): number | undefined {
    return this.points.find((p) => p.count >= n)?.at;
  }
}

/** Lag samples: for each send, how long until the consumer's count covered it. */
function lags(sent: Progress, done: Progress): number[] {
  return sent.points.flatMap((point) => {
    const at = done.reached(point.count);
    return at === undefined ? [] : [Math.max(0, at - point.at)];
  });
}

/** Items per second, second by second since `from`: the throughput over time. */
function perSecond(progress: Progress, from: number): [number, number][] {
  const out: [number, number][] = [];
  let previous = 0;
  for (let second = 1; ; second++) {
    const upTo = progress.points.filter((p) => p.at - from <= second * 1000).at(-1)?.count ?? 0;
    out.push([second, upTo - previous]);
    previous = upTo;
    if (upTo >= progress.count) return out;
  }
}

function rate_(progress: Progress, from: number): number {
  const last = progress.points.at(-1);
  return last ? (last.count / (last.at - from)) * 1000 : 0;
}

async function main(): Promise<void> {
  const prefix = `bench-${Date.now().toString(36)}-`;
  const database = `bench_analytics_${Date.now().toString(36)}`;

  // Real events, so the aggregator's owner lookups (gRPC, cached) are what they are in use.
  const owner = await benchUser("bench-analytics");
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug("bench"), title: "Bench analytics" },
  });
  if (channel.status !== 201) throw new Error(`creating a channel: ${channel.status}`);
  const eventIds: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const event = await api<{ id: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId: channel.body.id,
        title: `Bench ${i}`,
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    if (event.status !== 201) throw new Error(`creating an event: ${event.status}`);
    eventIds.push(event.body.id);
  }

  process.env.KAFKA_TOPIC_PREFIX = prefix;
  process.env.ANALYTICS_DB = database;
  process.env.JWT_SECRET = localSecret("jwt-secret");
  // The load comes from one address: it posts as a platform producer (anonymous posts are
  // held to a rate per address).
  process.env.INGRESS_TOKEN = localSecret("ingress-token");
  process.env.SERVICE_EVENTS_GRPC_ADDRESS = await platformServiceAddress("events-grpc");
  process.env.SERVICE_ACCOUNTS_GRPC_ADDRESS = await platformServiceAddress("accounts-grpc");
  const bench = await startBenchRuntime({
    files: ["ingress.yaml", "analytics.yaml", "dead-letter.yaml"],
    basePort: BASE_PORT,
    topicPrefix: prefix,
    log: (message) => {
      if (/failed|refused/.test(message)) console.log(`  [eventing] ${message}`);
    },
  });
  const ingress = bench.url("ingress");
  const mongo = createMongoClient();
  const stats = mongo.db(database).collection<{ beats?: number }>("stats");

  // The baseline: a plain kafkajs consumer of the same topic, counting records.
  const kafka = createKafka("bench-analytics");
  const raw = kafka.consumer({ groupId: `${prefix}raw`, maxWaitTimeInMs: 100 });
  const rawDone = new Progress();
  let rawCount = 0;
  await raw.connect();
  await raw.subscribe({ topic: physicalTopic("viewer-activity", prefix), fromBeginning: true });
  await raw.run({
    eachBatch: async ({ batch }) => {
      rawCount += batch.messages.length;
      rawDone.record(rawCount);
    },
  });

  const aggregated = new Progress();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const [row] = await stats
        .aggregate<{ beats: number }>([{ $group: { _id: null, beats: { $sum: "$beats" } } }])
        .toArray();
      aggregated.record(row?.beats ?? 0);
      await sleep(100);
    }
  })();

  try {
    // Warm-up: a beat from every viewer through the whole path (processes, consumer groups,
    // gRPC, first-time viewers): the run then measures viewers who keep watching.
    let seq = 0;
    // A viewer's beats rotate over SESSIONS sessions (page views), so that each stays within a
    // player's pace (functions/analytics/src/pace.ts) even at the top rate (a beat per viewer
    // per second); each session's token signed once, as the API would give it to a player.
    const SESSIONS = 16;
    const beatsOf = new Uint32Array(VIEWERS);
    const tokens = new Map<string, string>();
    const beat = (viewer: number): CloudEventV1 => {
      const eventId = eventIds[viewer % EVENTS] as string;
      const round = (beatsOf[viewer] ?? 0) + 1;
      beatsOf[viewer] = round;
      const sessionId = `bench-session-${viewer}-${round % SESSIONS}`;
      let viewToken = tokens.get(sessionId);
      if (!viewToken) {
        viewToken = viewTokenFor({ eventId, viewerId: `bench-viewer-${viewer}`, sessionId });
        tokens.set(sessionId, viewToken);
      }
      const id = `hb_bench-${viewer}_${seq++}`;
      return {
        specversion: "1.0",
        id,
        type: "streamplatform.viewer.heartbeat",
        source: "/bench/analytics",
        subject: eventId,
        time: new Date().toISOString(),
        datacontenttype: "application/json",
        data: {
          eventId,
          viewerId: `bench-viewer-${viewer}`,
          sessionId,
          viewToken,
          position: seq,
          rendition: viewer % 3 === 0 ? "720p" : "480p",
          playedSeconds: 10,
          bufferingSeconds: 0,
        },
        extensions: {},
      };
    };
    const post = async (events: CloudEventV1[]) => {
      const { headers, body } = toHttpBatch(events);
      const response = await fetch(`${ingress}/`, {
        method: "POST",
        headers: { ...headers, authorization: `Bearer ${process.env.INGRESS_TOKEN}` },
        body,
      });
      if (response.status !== 202)
        throw new Error(`/ce answered ${response.status}: ${await response.text()}`);
    };
    console.log("warm-up …");
    const warm = Array.from({ length: VIEWERS }, (_, i) => beat(i));
    for (let i = 0; i < warm.length; i += PER_REQUEST) await post(warm.slice(i, i + PER_REQUEST));
    for (let i = 0; aggregated.count < warm.length || rawCount < warm.length; i++) {
      if (i > 600) throw new Error("the warm-up beats were never aggregated");
      await sleep(100);
    }
    // Steps of rising load; the figure is the highest rate the aggregator sustained with its
    // lag under 2 s (p99), the baseline the raw consumer's rate in that same step.
    interface StepResult {
      offered: number;
      ours: number;
      raw: number;
      lag: ReturnType<typeof summarize>;
      rawLag: ReturnType<typeof summarize>;
      throughput: [number, number][];
    }
    const step = async (rate: number): Promise<StepResult> => {
      const base = { aggregated: aggregated.count, raw: rawCount };
      const sent = new Progress();
      console.log(`offering ${rate.toLocaleString()} beats/s for ${SECONDS} s …`);
      const start = performance.now();
      let offered = 0;
      let viewer = 0;
      const inFlight = new Set<Promise<void>>();
      for (let tick = 0; tick < (SECONDS * 1000) / TICK_MS; tick++) {
        const due = Math.round(((tick + 1) * TICK_MS * rate) / 1000) - offered;
        for (let i = 0; i < due; i += PER_REQUEST) {
          const events = Array.from({ length: Math.min(PER_REQUEST, due - i) }, () =>
            beat(viewer++ % VIEWERS),
          );
          offered += events.length;
          const request: Promise<void> = post(events).then(() => {
            sent.record(sent.count + events.length);
            inFlight.delete(request);
          });
          inFlight.add(request);
        }
        await sleep(Math.max(0, start + (tick + 1) * TICK_MS - performance.now()));
        if ((tick + 1) % (5000 / TICK_MS) === 0)
          console.log(
            `  ${Math.round((performance.now() - start) / 1000)} s: sent ${sent.count.toLocaleString()}, consumed ${(rawCount - base.raw).toLocaleString()}, aggregated ${(aggregated.count - base.aggregated).toLocaleString()}`,
          );
      }
      await Promise.all(inFlight);
      const offeredRate = (sent.count / (performance.now() - start)) * 1000;
      for (let i = 0; aggregated.count - base.aggregated < sent.count; i++) {
        if (i > 600) throw new Error("the aggregator did not catch up within 60 s");
        await sleep(100);
      }
      await sleep(300);
      // Counts since the step began, on the clock of the load.
      const shift = (progress: Progress, offset: number) => {
        const shifted = new Progress();
        for (const p of progress.points) if (p.at >= start) shifted.record(p.count - offset, p.at);
        return shifted;
      };
      const ours = shift(aggregated, base.aggregated);
      const raw = shift(rawDone, base.raw);
      const result = {
        offered: offeredRate,
        ours: rate_(ours, start),
        raw: rate_(raw, start),
        lag: summarize(lags(sent, ours)),
        rawLag: summarize(lags(sent, raw)),
        throughput: perSecond(ours, start),
      };
      console.log(
        `  offered ${Math.round(result.offered).toLocaleString()}/s; aggregated ${Math.round(result.ours).toLocaleString()}/s, lag p50/p99 ${Math.round(result.lag.p50)}/${Math.round(result.lag.p99)} ms; raw consumer ${Math.round(result.raw).toLocaleString()}/s, ${Math.round(result.rawLag.p50)}/${Math.round(result.rawLag.p99)} ms`,
      );
      return result;
    };

    let best: StepResult | undefined;
    let last: StepResult | undefined;
    const steps: StepResult[] = [];
    for (const rate of RATES) {
      last = await step(rate);
      steps.push(last);
      if (last.lag.p99 >= MAX_LAG_MS) break;
      best = last;
    }
    const shown = best ?? last;
    if (!shown) throw new Error("no step ran");
    printLine({
      series: steps.map((s) => ({
        label: `${Math.round(s.offered).toLocaleString()}/s offered`,
        unit: "beats aggregated/s",
        points: s.throughput,
      })),
      name: "heartbeats aggregated (lag < 2 s)",
      figure: best?.ours ?? 0,
      baseline: shown.raw,
      unit: "beats/s",
      better: "higher",
      target: "≥ 20,000/s, ≥ 0.3",
      met: (best?.ours ?? 0) >= 20_000 && (best?.ours ?? 0) / shown.raw >= 0.3,
    });
    printLine({
      name: "aggregation lag p99 (that step)",
      figure: shown.lag.p99,
      baseline: shown.rawLag.p99,
      unit: "ms",
      better: "lower",
      target: "< 2,000 ms",
      met: shown.lag.p99 < MAX_LAG_MS,
    });
    if (last && last !== best)
      console.log(
        `(at ${Math.round(last.offered).toLocaleString()} beats/s offered the lag p99 was ${Math.round(last.lag.p99).toLocaleString()} ms)`,
      );
  } finally {
    polling = false;
    await poller.catch(() => undefined);
    await raw.disconnect().catch(() => undefined);
    await bench.stop();
    await mongo
      .db(database)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(deleteBenchAccounts)
  .finally(() => process.exit());
