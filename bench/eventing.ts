// Benchmark (not a test): CloudEvents through the platform, POST /ce at the edge → ingress →
// Kafka → local KafkaSource dispatcher → sink, against raw kafkajs produce → consume on the
// same broker in the same run. The load comes from a process of its own (lib/eventing-load.ts),
// the sink is another (lib/sink.ts). Needs the platform up (npm start).
//   npm run bench:eventing            (BENCH_EVENTS=20000, BENCH_RATE=1000, BENCH_SECONDS=10,
//                                      BENCH_OVERLOAD_SECONDS=60: 3× the rate from 2,000 callers)

import "./lib/internal-token.ts";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localPorts, serviceUrls, toHttpBinary } from "@stream-platform/shared";
import { createKafka } from "@stream-platform/shared/kafka";
import { ingressToken } from "@stream-platform/shared/testing";
import { startRuntime } from "../local/src/eventing/runtime.ts";
import { logDir, pidFile } from "../local/src/paths.ts";
import { ownChild } from "./lib/children.ts";
import { childrenOf, cpuMeter, type Hop } from "./lib/cpu.ts";
import { type LoadReport, ping } from "./lib/eventing-load.ts";
import { printLine, summarize } from "./lib/stats.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const OVERLOAD_SECONDS = Number(process.env.BENCH_OVERLOAD_SECONDS ?? 60);
const WINDOW_SECONDS = 10;
/** A crowd: as many callers as connections, so the queue forms at the platform, not in here. */
const OVERLOAD_CALLERS = 2000;
/** After an overload the platform must be back at its figures within this (#21). */
const RECOVERY_SECONDS = 10;
const BATCH = 100;
const CONCURRENCY = 16;
const SINK_PORT = 18290;

/** Raw kafkajs: produce EVENTS records in batches, consume them in a group; same record size. */
async function rawKafka(): Promise<{ perSecond: number; latency: ReturnType<typeof summarize> }> {
  const kafka = createKafka("bench-raw");
  const topic = `bench-raw-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 100 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const latencies: number[] = [];
  let last = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 3,
      eachMessage: async ({ message }) => {
        last = Date.now();
        latencies.push(last - Number(message.value?.toString().slice(0, 13)));
        if (latencies.length >= EVENTS) resolve();
      },
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 2000)); // group assignment
  const start = Date.now();
  for (let sent = 0; sent < EVENTS; sent += BATCH) {
    const messages = Array.from({ length: Math.min(BATCH, EVENTS - sent) }, () => {
      const event = ping(Date.now());
      return { key: event.subject, value: `${Date.now()}${JSON.stringify(event)}` };
    });
    await producer.send({ topic, acks: -1, messages });
  }
  await done;
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  return { perSecond: (EVENTS / (last - start)) * 1000, latency: summarize(latencies) };
}

/**
 * The processes one event passes through, besides this one (the dispatcher) and the load
 * generator (which reports its own CPU): NGINX's workers, the platform's activator (which also
 * runs the platform's other dispatchers: an upper bound), the ingress function, Kafka, the sink.
 */
async function pathProcesses(sinkPid: number | undefined): Promise<Hop[]> {
  const pid = (name: string) => Number(readFileSync(pidFile(name), "utf8").trim());
  const status = (await (await fetch(`http://127.0.0.1:${localPorts().platform}/`)).json()) as {
    services: { name: string; pid?: number }[];
  };
  const ingress = status.services.find((s) => s.name === "ingress")?.pid;
  return [
    { name: "NGINX edge (workers)", pids: childrenOf(pid("nginx")) },
    { name: "platform daemon (activator, dispatchers)", pids: [pid("platform")] },
    { name: "ingress function", pids: ingress ? [ingress] : [] },
    { name: "Kafka broker", pids: [pid("kafka")] },
    { name: "sink", pids: sinkPid ? [sinkPid] : [] },
  ];
}

/** Runs the load generator in a process of its own and returns its report. */
async function load(args: (string | number)[]): Promise<LoadReport> {
  const child = ownChild(
    spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(import.meta.dirname, "lib", "eventing-load.ts"),
        ...args.map(String),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    ),
  );
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(out.trim().split("\n").at(-1) ?? "") as LoadReport;
}

/**
 * Overload: 3× the rate from a crowd of callers for OVERLOAD_SECONDS. What the platform cannot
 * take must be refused with 503 + Retry-After, never by a dropped connection or a 502/504; what
 * it accepted must all arrive; and under the rated load that follows at once, events sent
 * RECOVERY_SECONDS after the overload must meet the rated figures again.
 */
async function overload(
  ce: string,
  token: string,
  stats: (reset?: boolean) => Promise<{ latencies: number[]; sentAt: number[] }>,
  waitFor: (count: number) => Promise<unknown>,
): Promise<void> {
  if (OVERLOAD_SECONDS <= 0) return;
  const rate = 3 * RATE;
  console.log(
    `\noverload: ${rate} events/s for ${OVERLOAD_SECONDS} s from ${OVERLOAD_CALLERS} callers, then ${RATE}/s …`,
  );
  await stats(true);
  const crowd = await load(["paced", ce, token, rate, OVERLOAD_SECONDS, OVERLOAD_CALLERS]);
  const after = await load(["paced", ce, token, RATE, 2 * RECOVERY_SECONDS]);
  console.log(
    `  offered ${Math.round(crowd.offered)} events/s; answers ${JSON.stringify(crowd.statuses)}; then ${JSON.stringify(after.statuses)}`,
  );
  const refusedWell = crowd.statuses["503"] ?? 0;
  const badAnswers = crowd.sent - crowd.accepted - refusedWell;
  printLine({
    name: `overload ${rate}/s: refused with 503`,
    figure: (refusedWell / crowd.sent) * 100,
    unit: "%",
    better: "lower",
    target: "other failures 0",
    met: badAnswers === 0 && after.accepted === after.sent,
  });
  // Everything accepted arrives, overload or not.
  await waitFor(crowd.accepted + after.accepted);
  const { latencies, sentAt } = await stats();
  const recoveredFrom = after.startedAt + RECOVERY_SECONDS * 1000;
  const recovered = summarize(latencies.filter((_, i) => (sentAt[i] ?? 0) >= recoveredFrom));
  printLine({
    name: `p99 ${RECOVERY_SECONDS}-${2 * RECOVERY_SECONDS} s after the overload`,
    figure: recovered.p99,
    unit: "ms",
    better: "lower",
    target: "p99 < 100 ms",
    met: recovered.p99 < 100,
  });
}

/**
 * The paced run's p99 per window of sending time: whether slow deliveries came spread out or
 * together (a stall), and when, which a long run's single p99 does not say.
 */
function printWindows(latencies: number[], sentAt: number[]): void {
  // A loop, not Math.min(...sentAt): a 10-minute run has more samples than a call's arguments.
  const first = sentAt.reduce((min, at) => Math.min(min, at), Number.POSITIVE_INFINITY);
  const windows = new Map<number, number[]>();
  latencies.forEach((latency, i) => {
    const at = Math.floor(((sentAt[i] ?? first) - first) / (WINDOW_SECONDS * 1000));
    const window = windows.get(at);
    if (window) window.push(latency);
    else windows.set(at, [latency]);
  });
  const last = Math.max(...windows.keys());
  const p99s = Array.from({ length: last + 1 }, (_, at) =>
    Math.round(summarize(windows.get(at) ?? []).p99),
  );
  console.log(`  p99 (ms) per ${WINDOW_SECONDS} s of sending: ${p99s.join(" ")}`);
  const over = p99s.filter((p99) => p99 >= 100).length;
  if (over > 0) console.log(`  ${over} of ${p99s.length} windows at or above 100 ms`);
}

async function main(): Promise<void> {
  // The sink runs in its own process, as a function would: the dispatcher is measured, not a
  // server sharing its event loop.
  const sink = ownChild(
    spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "lib", "sink.ts")], {
      env: { ...process.env, PORT: String(SINK_PORT) },
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  await new Promise((resolve) => sink.stdout?.once("data", resolve));
  const stats = async (reset = false) =>
    (await (
      await fetch(`http://127.0.0.1:${SINK_PORT}/stats${reset ? "?reset=1" : ""}`)
    ).json()) as {
      count: number;
      latencies: number[];
      sentAt: number[];
      lastAt: number;
    };
  const waitFor = async (count: number) => {
    for (;;) {
      const current = (await (await fetch(`http://127.0.0.1:${SINK_PORT}/count`)).json()) as {
        count: number;
        lastAt: number;
      };
      if (current.count >= count) return current;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const dir = mkdtempSync(join(tmpdir(), "bench-eventing-"));
  writeFileSync(
    join(dir, "bench.yaml"),
    `apiVersion: sources.knative.dev/v1beta1
kind: KafkaSource
metadata:
  name: bench-source
spec:
  bootstrapServers: [kafka-bootstrap.kafka:9092]
  topics: [diagnostics]
  consumerGroup: bench-eventing-${Date.now()}
  initialOffset: latest
  ordering: unordered
  sink:
    uri: http://127.0.0.1:${SINK_PORT}/
`,
  );
  const runtime = await startRuntime({
    dirs: [dir],
    basePort: 18300,
    statusPort: 0,
    logDir: join(logDir, "bench"),
  });
  const ce = `${serviceUrls().edgeUrl}/ce`;
  // Diagnostic pings are not for anyone to send: the platform's ingress token.
  const token = ingressToken();
  const auth = { authorization: `Bearer ${token}` };
  try {
    // Warm up until the source's group is assigned and an event arrives end to end.
    for (let i = 0; i < 200 && (await stats()).count === 0; i++) {
      const { headers, body } = toHttpBinary(ping(Date.now()));
      await fetch(ce, { method: "POST", headers: { ...headers, ...auth }, body });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if ((await stats(true)).count === 0) {
      throw new Error("no event arrived end to end: is the platform up (npm start)?");
    }

    console.log(`raw kafkajs: ${EVENTS} records …`);
    const raw = await rawKafka();

    console.log(
      `platform: ${EVENTS} CloudEvents in batches of ${BATCH}, ${CONCURRENCY} at a time …`,
    );
    await stats(true);
    const burst = await load(["batch", ce, token, EVENTS, BATCH, CONCURRENCY]);
    if (burst.accepted !== EVENTS)
      throw new Error(
        `the ingress accepted ${burst.accepted} of ${EVENTS}: ${JSON.stringify(burst.statuses)}`,
      );
    console.log(
      `  ingress accepted all in ${burst.endedAt - burst.startedAt} ms (${Math.round(burst.offered)} ev/s)`,
    );
    // From the generator's first POST (its process's start-up is not the platform's time, as
    // the raw figure starts with its producer connected) to the sink's last arrival.
    const { lastAt } = await waitFor(EVENTS);
    const throughput = (EVENTS / (lastAt - burst.startedAt)) * 1000;

    console.log(
      `platform: latency at ${RATE} events/s for ${SECONDS} s, one binary-mode POST per event …`,
    );
    await stats(true);
    const total = RATE * SECONDS;
    const hops = await pathProcesses(sink.pid);
    const meter = cpuMeter(hops);
    const dispatcherCpu = process.cpuUsage();
    const pacedLoad = await load(["paced", ce, token, RATE, SECONDS]);
    console.log(
      `  offered ${Math.round(pacedLoad.offered)} events/s (asked for ${RATE}); answers ${JSON.stringify(pacedLoad.statuses)}`,
    );
    if (pacedLoad.accepted !== total)
      throw new Error(`the ingress accepted ${pacedLoad.accepted} of ${total}`);
    await waitFor(total);
    const paced = await stats();
    const paced99 = summarize(paced.latencies);
    printWindows(paced.latencies, paced.sentAt);
    const dispatcherUsed = process.cpuUsage(dispatcherCpu);
    const perHop = [
      { name: "load generator (not the platform)", ms: pacedLoad.cpuMs },
      ...meter.stop(),
      {
        name: "KafkaSource dispatcher (this process)",
        ms: (dispatcherUsed.user + dispatcherUsed.system) / 1000,
      },
    ];
    console.log(
      `\nCPU per event at ${Math.round(pacedLoad.offered)} events/s offered, per process on the path:`,
    );
    for (const hop of perHop) {
      const micros = (hop.ms * 1000) / total;
      console.log(
        `  ${hop.name.padEnd(40)} ${Math.round(micros).toString().padStart(6)} µs/event  ${
          micros > 0
            ? Math.round(1e6 / micros)
                .toLocaleString("en-US")
                .padStart(8)
            : "-".padStart(8)
        } events/s per core`,
      );
    }

    console.log("");
    printLine({
      name: "CloudEvents/s POST /ce → sink",
      figure: throughput,
      baseline: raw.perSecond,
      unit: "ev/s",
      better: "higher",
      target: "ratio ≥ 0.5",
      met: throughput / raw.perSecond >= 0.5,
    });
    printLine({
      name: `p50 latency at ${RATE}/s`,
      figure: paced99.p50,
      baseline: raw.latency.p50,
      unit: "ms",
      better: "lower",
      target: "p50 < 20 ms",
      met: paced99.p50 < 20,
    });
    printLine({
      name: `p99 latency at ${RATE}/s`,
      figure: paced99.p99,
      baseline: raw.latency.p99,
      unit: "ms",
      better: "lower",
      target: "p99 < 100 ms",
      met: paced99.p99 < 100,
    });

    await overload(ce, token, stats, waitFor);
  } finally {
    await runtime.stop();
    sink.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
