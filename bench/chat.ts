// Benchmark (not a test): live chat. Needs the platform up (npm start).
//   npm run bench:chat   (BENCH_CHAT_CLIENTS=5000, BENCH_CHAT_RATE=100, BENCH_CHAT_SECONDS=60,
//                         BENCH_CHAT_GATEWAYS=1,2, BENCH_CHAT_WORKERS=2,
//                         BENCH_CHAT_WARM_UP_SECONDS=5: posted first and not counted,
//                         BENCH_CHAT_PROFILE=DIR: the gateways' CPU profiles written there)
// C SSE clients in one room, M messages/s posted to the chat function for S seconds; each
// message's delivery latency (from the moment its POST was sent to its arrival at a client,
// every client), and per client whether every accepted message arrived exactly once. Run once
// with one gateway instance and once with two (clients split between them). Everything is the
// benchmark's own: the chat function in a runtime of its own (knative/chat.yaml, own topics and
// PostgreSQL schema), SSE gateways of its own (stream-server/src/sse-main.ts), clients in worker
// processes (bench/lib/chat-clients.ts); its account, channel and events are deleted after.
// Target: delivery p99 < 500 ms, nothing lost or duplicated per client.
import "./lib/internal-token.ts";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { serviceUrls } from "@stream-platform/shared";
import { createKafka } from "@stream-platform/shared/kafka";
import {
  api,
  platformServiceAddress,
  type TestUser,
  uniqueSlug,
} from "@stream-platform/shared/testing";
import pg from "pg";
import { Agent, request } from "undici";
import { repoRoot } from "../local/src/paths.ts";
import { daemonPid } from "../local/src/proc.ts";
import { localSecret } from "../local/src/servers/platform.ts";
import { benchUser, deleteBenchAccounts } from "./lib/accounts.ts";
import { cpuMeter, type Hop, machineMeter } from "./lib/cpu.ts";
import { startBenchRuntime } from "./lib/runtime.ts";
import { percentile, printLine } from "./lib/stats.ts";

const CLIENTS = Number(process.env.BENCH_CHAT_CLIENTS ?? 5000);
const RATE = Number(process.env.BENCH_CHAT_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_CHAT_SECONDS ?? 60);
const GATEWAYS = (process.env.BENCH_CHAT_GATEWAYS ?? "1,2").split(",").map(Number);
const WORKERS = Number(process.env.BENCH_CHAT_WORKERS ?? 2);
const PROFILE_DIR = process.env.BENCH_CHAT_PROFILE;
const WARM_UP_SECONDS = Number(process.env.BENCH_CHAT_WARM_UP_SECONDS ?? 5);
const POSTERS = 20;
const BASE_PORT = 18700;
const GATEWAY_PORT = 18790;

const runId = randomBytes(4).toString("hex");
const prefix = `bench-chat-${runId}-`;
const schema = `bench_chat_${runId}`;
const children = new Set<ChildProcess>();
// undici's own client, not fetch: fetch's web streams cost the poster several times the CPU
// (0.8 ms a post, profiled), taken from the cores the chat shares.
const postingPool = new Agent({ connections: 32, keepAliveTimeout: 30_000 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function start(script: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function stopAll(): void {
  for (const child of children) child.kill("SIGKILL");
}
// Whatever happens, nothing this started outlives it: on a signal the run stops where it is
// and the clean-up in main's finally runs.
const stopping = new AbortController();
process.once("exit", stopAll);
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    stopAll();
    stopping.abort(new Error(`stopped by ${signal}`));
  });

/** A line of a child's stdout matching `match`. */
function lineOf(child: ChildProcess, match: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (match(line)) {
        lines.close();
        resolve(line);
      }
    });
    child.once("exit", (code) => reject(new Error(`a child exited (${code}) before answering`)));
  });
}

async function startGateways(
  count: number,
  chatUrl: string,
): Promise<{ urls: string[]; pids: number[] }> {
  const urls: string[] = [];
  const pids: number[] = [];
  for (let i = 0; i < count; i++) {
    const port = GATEWAY_PORT + i;
    const gateway = start("stream-server/src/sse-main.ts", [], {
      STREAM_SERVER_PORT: String(port),
      // A CPU profile of each gateway, written when it stops (below).
      ...(PROFILE_DIR && { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` }),
      KAFKA_TOPIC_PREFIX: prefix,
      CHAT_URL: chatUrl,
      // The clients all come from this machine's one address, straight to the gateway.
      SSE_MAX_PER_ADDRESS: String(CLIENTS),
    });
    for (let tries = 0; ; tries++) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (tries > 300) throw new Error(`gateway on ${port} did not start`);
      await sleep(100);
    }
    urls.push(`http://127.0.0.1:${port}`);
    pids.push(gateway.pid ?? 0);
  }
  return { urls, pids };
}

/** Where the CPU goes: each process on the path, and the load generator's own. */
function hops(chatPid: number, gatewayPids: number[], workers: ChildProcess[]): Hop[] {
  // A server with every process under it, those it starts during the run too.
  const server = (name: string) => ({ pids: [], tree: daemonPid(name) });
  return [
    { name: "SSE clients (load generator)", pids: workers.map((w) => w.pid ?? 0) },
    { name: "gateway(s)", pids: gatewayPids },
    { name: "chat function", pids: [chatPid] },
    { name: "Kafka broker", ...server("kafka") },
    { name: "PostgreSQL", ...server("postgres") },
  ];
}

interface Posted {
  seq: number;
  /** When the POST was sent. */
  sent: number;
  /** The answer's status and how long it took; none when there was no answer (a time-out). */
  status?: number;
  answeredMs?: number;
}

/**
 * `total` chat posts at RATE a second, as `text(seq, sent)`, each from the next of the posters;
 * resolves, once every post is answered, with what each got. Every few milliseconds it sends
 * whatever is due by now: the rate holds however late a timer fires.
 */
async function postAtRate(
  chatUrl: string,
  eventId: string,
  posters: TestUser[],
  total: number,
  text: (seq: number, sent: number) => string,
): Promise<Posted[]> {
  const began = Date.now();
  const posts: Promise<Posted>[] = [];
  const post = (seq: number): Promise<Posted> => {
    const poster = posters[seq % posters.length] as TestUser;
    const sent = Date.now();
    return request(`${chatUrl}/api/chat/events/${eventId}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${poster.token}`, "content-type": "application/json" },
      body: JSON.stringify({ text: text(seq, sent) }),
      dispatcher: postingPool,
      // A post unanswered in 10 s is not accepted (and the run cannot hang on it).
      signal: AbortSignal.any([AbortSignal.timeout(10_000), stopping.signal]),
    }).then(
      async (r) => {
        await r.body.dump();
        return { seq, sent, status: r.statusCode, answeredMs: Date.now() - sent };
      },
      () => ({ seq, sent }),
    );
  };
  for (let seq = 0; seq < total; ) {
    const due = Math.min(total, Math.floor(((Date.now() - began) * RATE) / 1000) + 1);
    while (seq < due) posts.push(post(seq++));
    stopping.signal.throwIfAborted();
    await sleep(5);
  }
  return Promise.all(posts);
}

/**
 * WARM_UP_SECONDS of the same posting first, uncounted (no "~" mark, which the clients look
 * for): the figures are those of a running chat, not of processes compiling their hot paths.
 */
async function warmUp(chatUrl: string, eventId: string, posters: TestUser[]): Promise<void> {
  const total = RATE * WARM_UP_SECONDS;
  await postAtRate(chatUrl, eventId, posters, total, (seq) => `warming up ${seq}`);
  console.log(`  warmed up: ${total} messages in ${WARM_UP_SECONDS} s, not counted`);
}

async function scenario(
  gateways: number,
  chat: { url: string; pid: number },
  eventId: string,
  posters: TestUser[],
) {
  const chatUrl = chat.url;
  console.log(`\n${gateways} gateway(s): ${CLIENTS} clients, ${RATE} messages/s for ${SECONDS} s`);
  const { urls: gatewayUrls, pids: gatewayPids } = await startGateways(gateways, chatUrl);
  const streamUrls = gatewayUrls.map((u) => `${u}/api/chat/stream?eventId=${eventId}`);
  const workers: ChildProcess[] = [];
  const perWorker = Math.ceil(CLIENTS / WORKERS);
  for (let w = 0; w < WORKERS; w++) {
    const count = Math.min(perWorker, CLIENTS - w * perWorker);
    const worker = start("bench/lib/chat-clients.ts", [
      JSON.stringify({ urls: streamUrls, count, first: w * perWorker, total: RATE * SECONDS }),
    ]);
    workers.push(worker);
  }
  await Promise.race([
    Promise.all(workers.map((w) => lineOf(w, (line) => line === "ready"))),
    new Promise((_, reject) => stopping.signal.addEventListener("abort", reject)),
  ]);
  console.log(`  ${CLIENTS} connections open`);
  await warmUp(chatUrl, eventId, posters);
  const meter = cpuMeter(hops(chat.pid, gatewayPids, workers));
  const machine = machineMeter();
  const ownCpu = process.cpuUsage();

  const total = RATE * SECONDS;
  const began = Date.now();
  const posted = await postAtRate(
    chatUrl,
    eventId,
    posters,
    total,
    (seq, sent) => `~${seq} ${sent}`,
  );
  const accepted = posted.filter((p) => p.status === 201).map((p) => p.seq);
  const refused = total - accepted.length;
  const statuses = new Map<number, number>();
  const answered: number[] = [];
  for (const { status, answeredMs } of posted)
    if (status !== undefined && answeredMs !== undefined) {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      answered.push(answeredMs);
    }
  const offered = total / ((Date.now() - began) / 1000);
  console.log(
    `  posted ${total} (${offered.toFixed(0)}/s offered), ${accepted.length} accepted; statuses ${JSON.stringify(Object.fromEntries(statuses))}; answered in p50 ${percentile(
      answered.sort((a, b) => a - b),
      50,
    )} ms, p99 ${percentile(answered, 99)} ms`,
  );
  // Time for the last messages to arrive everywhere (anything later counts as late, not lost).
  await sleep(5000);
  const wallMs = Date.now() - began;
  const own = process.cpuUsage(ownCpu);
  const metered = [
    ...meter.stop(),
    { name: "this process (posting; the runtime)", ms: (own.user + own.system) / 1000 },
  ];
  const cpu = [...metered, ...machine.stop(metered.reduce((sum, hop) => sum + hop.ms, 0))];
  console.log(`  CPU over the ${(wallMs / 1000).toFixed(0)} s (2 cores = 200%):`);
  for (const hop of cpu)
    console.log(`    ${hop.name.padEnd(38)} ${((hop.ms / wallMs) * 100).toFixed(0).padStart(4)}%`);

  const reports = await Promise.all(
    workers.map((worker) => {
      const line = lineOf(worker, (l) => l.startsWith("{"));
      worker.stdin?.write(`report ${JSON.stringify(accepted)}\n`);
      return line.then(
        (l) =>
          JSON.parse(l) as {
            histogram: number[];
            fanOut: number[];
            over: number;
            incomplete: number;
            missing: number;
            duplicates: number;
          },
      );
    }),
  );
  if (PROFILE_DIR) {
    // A gateway writes its profile when it stops of itself, not when killed.
    for (const pid of gatewayPids) process.kill(pid, "SIGTERM");
    await sleep(3000);
    console.log(`  gateway CPU profiles in ${PROFILE_DIR}`);
  }
  stopAll();
  const histogram = new Array<number>(reports[0]?.histogram.length ?? 0).fill(0);
  const fanOut = new Array<number>(histogram.length).fill(0);
  let over = 0;
  let incomplete = 0;
  let missing = 0;
  let duplicates = 0;
  for (const r of reports) {
    r.histogram.forEach((n, ms) => {
      histogram[ms] = (histogram[ms] ?? 0) + n;
    });
    r.fanOut.forEach((n, ms) => {
      fanOut[ms] = (fanOut[ms] ?? 0) + n;
    });
    over += r.over;
    incomplete += r.incomplete;
    missing += r.missing;
    duplicates += r.duplicates;
  }
  const deliveries = histogram.reduce((a, b) => a + b, 0) + over;
  const at = (p: number, counts = histogram, total = deliveries) => {
    let seen = 0;
    for (let ms = 0; ms < counts.length; ms++) {
      seen += counts[ms] ?? 0;
      if (seen >= (p / 100) * total) return ms;
    }
    return Number.POSITIVE_INFINITY;
  };
  const sampled = fanOut.reduce((a, b) => a + b, 0);
  // A sample of the distribution for the report's chart.
  const sample: number[] = [];
  for (let i = 1; i <= 1000; i++) sample.push(at(i / 10));
  const p99 = at(99);
  // Where the time goes: before the function accepted a message, or after (a sample).
  console.log(
    `  from the function's acceptance (its sentAt) to a client: p50 ${at(50, fanOut, sampled)} ms, p99 ${at(99, fanOut, sampled)} ms (${sampled.toLocaleString()} sampled)`,
  );
  console.log(
    `  ${deliveries.toLocaleString()} deliveries (expected ${(accepted.length * CLIENTS).toLocaleString()}); p50 ${at(50)} ms, p99 ${p99} ms, max ${over > 0 ? "> 20 s" : `${percentile(sample, 100)} ms`}; ${incomplete} clients missed ${missing} messages; ${duplicates} duplicates; ${refused} posts refused`,
  );
  printLine({
    name: `chat delivery p99, ${gateways} gateway(s)`,
    figure: p99,
    unit: "ms",
    better: "lower",
    target: "p99 < 500 ms, none lost or duplicated",
    met: p99 < 500 && missing === 0 && duplicates === 0 && refused === 0,
    samples: { figure: sample },
  });
}

async function main(): Promise<void> {
  const owner = await benchUser("bench-chat");
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug("bench-chat"), title: "Chat bench" },
  });
  const events: string[] = [];
  for (const _ of GATEWAYS) {
    const event = await api<{ id: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId: channel.body.id,
        title: "Chat bench",
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    if (event.status !== 201) throw new Error(`creating an event: ${event.status}`);
    events.push(event.body.id);
  }
  const posters = await Promise.all(
    Array.from({ length: POSTERS }, (_, i) => benchUser(`bench-poster${i}`)),
  );

  // The chat function as knative/ describes it, with its own schema and topics, limits raised:
  // 100 messages/s come from 20 people at one address.
  Object.assign(process.env, {
    // Requests that bypass the activator are not activity to it: not scaled to zero mid-run.
    LOCAL_SCALE_TO_ZERO_AFTER: "1h",
    // The runtime's functions and the gateways publish and consume the benchmark's topics.
    KAFKA_TOPIC_PREFIX: prefix,
    CHAT_DB_SCHEMA: schema,
    CHAT_PERSON_RATE_PER_SECOND: "1000",
    CHAT_PERSON_RATE_BURST: "1000",
    CHAT_ADDRESS_RATE_PER_SECOND: "100000",
    CHAT_ADDRESS_RATE_BURST: "100000",
    JWT_SECRET: localSecret("jwt-secret"),
    SERVICE_ACCOUNTS_GRPC_ADDRESS: await platformServiceAddress("accounts-grpc"),
    SERVICE_EVENTS_GRPC_ADDRESS: await platformServiceAddress("events-grpc"),
  });
  const bench = await startBenchRuntime({
    files: ["chat.yaml", "dead-letter.yaml"],
    basePort: BASE_PORT,
    topicPrefix: prefix,
  });
  try {
    const serviceUrl = bench.url("chat");
    for (let i = 0; ; i++) {
      const r = await fetch(`${serviceUrl}/api/chat/events/${events[0]}/messages`).catch(
        () => undefined,
      );
      if (r?.status === 200) break;
      if (i > 600) throw new Error("the chat function did not become ready");
      await sleep(100);
    }
    // Ready, so running: its process is the one to meter, and the one posted to, as a Knative
    // revision with ready pods is reached (the local activator, a TCP relay in this process,
    // out of the path).
    const chatPid = bench.runtime.status().services.find((s) => s.name === "chat")?.pid ?? 0;
    const chatUrl = bench.instanceUrl("chat") ?? serviceUrl;
    // The machine's speed now, which every figure below moves with.
    const probe = start("bench/lib/write-probe.ts", []);
    const roundMs = await lineOf(probe, (line) => /^\d+$/.test(line));
    console.log(
      `machine probe: a bare write round to 5,000 loopback sockets takes ${roundMs} ms (47 ms on a quiet stretch, 2026-12-02)`,
    );
    for (const [i, gateways] of GATEWAYS.entries())
      await scenario(gateways, { url: chatUrl, pid: chatPid }, events[i] as string, posters);
  } finally {
    stopAll();
    await bench.stop();
    const db = new pg.Client({ connectionString: serviceUrls().databaseUrl });
    await db.connect();
    await db.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await db.end();
    const admin = createKafka("bench-chat-cleanup").admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    // Nothing a user sees stays: deleting the accounts erases their channel and events.
    await deleteBenchAccounts();
  }
}

await main();
process.exit(0);
