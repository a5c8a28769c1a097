// `npm run test:faults`: while a steady load flows (load.ts), SIGKILL and restart in turn Kafka,
// a consumer function mid-batch, FerretDB, PostgreSQL, Elasticsearch and the ffmpeg of a live
// stream; last, the chat function and the SSE gateway during a chat (chat.ts). Afterwards every
// item sent has been applied exactly once (tally.ts, per fault), the live stream never stopped,
// callers got 503 + Retry-After (never a 500 or a hang) while a store was down, and nothing of
// the platform was restarted by hand.
import { createEvent, serviceUrls, toHttpBinary } from "@stream-platform/shared";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import {
  api,
  type EventWatch,
  ingressToken,
  liveStream,
  newUser,
  type Publisher,
  publishTestPattern,
  type TestUser,
  uniqueSlug,
  until,
  watchEvents,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeStatus } from "../local/src/eventing/runtime.ts";
import { daemonPid } from "../local/src/proc.ts";
import {
  functionBack,
  functionPid,
  killFunction,
  killServer,
  platformStatus,
  restartServer,
} from "./breakers.ts";
import { chatDrill } from "./chat.ts";
import { type Answer, Load, timed } from "./load.ts";
import { analyticsDb, lost, table, tally } from "./tally.ts";

const edge = serviceUrls().edgeUrl;
const FAULTS = ["kafka", "consumer", "mongodb", "postgres", "elasticsearch", "ffmpeg"] as const;
const WINDOWS = ["steady", ...FAULTS];
const AGGREGATOR = "analytics-aggregator";

let owner: TestUser;
let viewer: TestUser;
let channelSlug: string;
let load: Load;
let published: EventWatch;
let publisher: Publisher;
let liveChannelId: string;
let platformPid: number | undefined;
let deadLetteredBefore: Map<string, number>;
let crashesBefore: Map<string, number>;

const deadLettered = (status: RuntimeStatus) =>
  new Map(status.kafkaSources.map((s) => [s.name, s.deadLettered]));
const crashes = (status: RuntimeStatus) => new Map(status.services.map((s) => [s.name, s.crashes]));

/** The drill's live stream. */
const theStream = () => liveStream(liveChannelId);

/** The number of the newest segment of the live stream's 480p playlist. */
async function liveEdge(eventId: string): Promise<number | undefined> {
  const response = await fetch(`${edge}/hls/${eventId}/480p/index.m3u8`);
  if (!response.ok) return undefined;
  const playlist = await response.text();
  const sequence = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1] ?? 0);
  return sequence + (playlist.match(/^#EXTINF:/gm)?.length ?? 0);
}

/** The live stream is still the same stream, and new segments keep coming. */
async function expectStreamGoesOn(streamId: string): Promise<void> {
  const stream = await theStream();
  expect(stream?.streamId, "the live stream is still on").toBe(streamId);
  const eventId = stream?.eventId ?? "";
  const before = (await liveEdge(eventId)) ?? 0;
  await until(
    "two new segments of the live stream",
    async () => (((await liveEdge(eventId)) ?? 0) >= before + 2 ? true : undefined),
    30_000,
    250,
  );
}

const ask = (path: string, init: RequestInit = {}) => timed(`${edge}${path}`, init);

/** A request whose answer depends on the broken store (a diagnostic ping for Kafka). */
type Probe = () => Promise<Answer>;
const probes = {
  kafka: () => {
    const { headers, body } = toHttpBinary(
      createEvent({
        type: "streamplatform.diagnostic.ping",
        source: "/faults/probe",
        subject: "probe",
        data: { note: "is the event log there?" },
      }),
    );
    return ask("/ce", {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${ingressToken()}` },
      body,
    });
  },
  // A person's inbox (the events' lists are answered from PostgreSQL, functions/events).
  mongodb: () =>
    ask("/api/me/notifications?limit=1", { headers: { authorization: `Bearer ${viewer.token}` } }),
  postgres: () => ask(`/api/channels/${channelSlug}`),
  elasticsearch: () => ask("/api/search?q=drill"),
} satisfies Record<string, Probe>;

/**
 * Asks until the store's absence shows as 503 + Retry-After; every answer on the way must be a
 * success or that 503 (never a 500, a refused connection or a hang).
 */
async function expectUnavailable(probe: Probe): Promise<Answer> {
  const seen: Answer[] = [];
  const answer = await until(
    "a 503 with Retry-After",
    async () => {
      const a = await probe();
      seen.push(a);
      return a.status === 503 && a.retryAfter ? a : undefined;
    },
    60_000,
    250,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; answers: ${summary(seen)}`);
  });
  const wrong = seen.filter(
    (a) => !(a.status === 503 || (typeof a.status === "number" && a.status < 300)),
  );
  expect(wrong, "answers while the store was going down").toEqual([]);
  return answer;
}

/** "503×12, 200×3": what a list of answers held. */
function summary(answers: Answer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(String(a.status), (counts.get(String(a.status)) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${status}×${n}`).join(", ") || "none";
}

function expectAvailable(probe: Probe): Promise<Answer> {
  return until(
    "a success again",
    async () => {
      const a = await probe();
      return typeof a.status === "number" && a.status < 300 ? a : undefined;
    },
    180_000,
    250,
  );
}

/** A store down for a while under load, then started again. */
async function breakStore(name: keyof typeof probes): Promise<void> {
  await killServer(name);
  const killedAt = Date.now();
  try {
    const answer = await expectUnavailable(probes[name]);
    console.log(
      `${name}: killed; callers get ${answer.status} with Retry-After: ${answer.retryAfter} (in ${answer.ms} ms)`,
    );
  } finally {
    // Back up whatever the checks found, or every later fault would meet this one.
    await restartServer(name);
  }
  await expectAvailable(probes[name]);
  console.log(
    `${name}: answering again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
  );
}

beforeAll(async () => {
  platformPid = daemonPid("platform");
  const before = await platformStatus();
  deadLetteredBefore = deadLettered(before);
  crashesBefore = crashes(before);
  owner = await newUser("drill-owner");
  viewer = await newUser("drill-viewer");
  channelSlug = uniqueSlug("drill");
  const channel = await api<{ id: string; streamKey: string }>("/api/channels", {
    token: owner.token,
    body: { slug: channelSlug, title: "Fault drill" },
  });
  expect(channel.status).toBe(201);
  liveChannelId = channel.body.id;

  const eventIds: Record<string, string> = {};
  for (const name of WINDOWS) {
    const created = await api<{ id: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId: channel.body.id,
        title: `Fault drill: ${name}`,
        startsAt: new Date(Date.now() + 7_200_000).toISOString(),
      },
    });
    expect(created.status).toBe(201);
    eventIds[name] = created.body.id;
  }

  // Channels to subscribe to, one per subscription the load will make.
  const channelPool: string[] = [];
  const poolOwner = await newUser("drill-pool");
  for (let batch = 0; batch < 60; batch++) {
    const made = await Promise.all(
      Array.from({ length: 20 }, () =>
        api<{ id: string }>("/api/channels", {
          token: poolOwner.token,
          body: { slug: uniqueSlug("pool"), title: "Pool" },
        }),
      ),
    );
    for (const m of made) {
      expect(m.status).toBe(201);
      channelPool.push(m.body.id);
    }
  }

  published = await watchEvents(["subscriptions"]);

  // A creator streaming for the whole drill.
  publisher = publishTestPattern(channel.body.streamKey, { seconds: 1800, size: "640x360" });
  const stream = await until("the live stream", theStream, 30_000, 250);
  await until("the live playlist", () => liveEdge(stream.eventId), 30_000, 250);

  load = new Load({
    runId: uniqueSlug("run"),
    channelId: channel.body.id,
    viewerToken: viewer.token,
    channelPool,
    eventIds,
  });
  load.open("steady");
  load.start();
}, 180_000);

afterAll(async () => {
  load?.abandon();
  publisher?.process.kill("SIGINT");
  await published?.stop();
});

describe.sequential("faults under steady load", () => {
  let streamId: string;

  it("runs steadily before anything breaks", async () => {
    streamId = (await theStream())?.streamId ?? "";
    expect(streamId).not.toBe("");
    await expectStreamGoesOn(streamId);
  });

  it("Kafka: SIGKILL, restart", async () => {
    load.open("kafka");
    await breakStore("kafka");
    await expectStreamGoesOn(streamId);
  }, 300_000);

  it("a consumer function killed in the middle of a batch", async () => {
    const window = load.open("consumer");
    const before = await functionPid(AGGREGATOR);
    expect(before, "the aggregator runs").toBeDefined();
    const mongo = createMongoClient();
    try {
      const beats = analyticsDb(mongo).collection("beats");
      await load.settled();
      const stored = await beats.countDocuments({ e: window.eventId });
      // A burst, so that a batch is large enough to be caught in the middle: the kill comes as
      // soon as its first beats are stored, before the batch is acknowledged.
      load.burst(3000);
      await load.settled();
      const atKill = await until(
        "the burst's first beats stored",
        async () => {
          const now = await beats.countDocuments({ e: window.eventId });
          return now > stored ? now : undefined;
        },
        30_000,
        10,
      );
      const killed = await killFunction(AGGREGATOR);
      const back = await functionBack(AGGREGATOR, killed);
      console.log(
        `consumer: ${AGGREGATOR} pid ${killed} killed with ${atKill - stored} beats of a ${3000}-beat burst stored; the supervisor started pid ${back}`,
      );
    } finally {
      await mongo.close();
    }
    await expectStreamGoesOn(streamId);
  }, 300_000);

  it.each([
    ["FerretDB (MongoDB)", "mongodb"],
    ["PostgreSQL", "postgres"],
    ["Elasticsearch", "elasticsearch"],
  ] as const)(
    "%s: SIGKILL, restart",
    async (_, store) => {
      load.open(store);
      await breakStore(store);
      await expectStreamGoesOn(streamId);
    },
    // Elasticsearch may take minutes to restart on a loaded machine (`up` allows it 600 s).
    700_000,
  );

  it("the live stream's ffmpeg: SIGKILL", async () => {
    load.open("ffmpeg");
    const stream = await theStream();
    expect(stream?.ffmpegPid).toBeDefined();
    process.kill(stream?.ffmpegPid ?? 0, "SIGKILL");
    const restarted = await until(
      "stream-server to restart ffmpeg",
      async () => {
        const now = await theStream();
        return now?.ffmpegPid !== undefined && now.ffmpegRestarts > (stream?.ffmpegRestarts ?? 0)
          ? now
          : undefined;
      },
      30_000,
      100,
    );
    console.log(
      `ffmpeg: pid ${stream?.ffmpegPid} killed; stream-server started pid ${restarted.ffmpegPid}`,
    );
    await expectStreamGoesOn(streamId);
  }, 300_000);

  it("applied every event exactly once, and nothing needed a hand", async () => {
    await load.drain();
    const tallies = await until(
      "every event applied",
      async () => {
        // A store still recovering (Elasticsearch's shards after a slow restart) fails a count:
        // not yet, ask again.
        const t = await tally(load.windows, viewer.id, published.events).catch((error: unknown) => {
          console.log(`tally: ${String(error)}; asking again`);
          return undefined;
        });
        return t?.every((row) => lost(row) === 0) ? t : undefined;
      },
      300_000,
      2000,
    ).catch(async (error: unknown) => {
      console.log(table(await tally(load.windows, viewer.id, published.events)));
      throw error;
    });
    console.log(`\n${table(tallies)}\n`);
    for (const window of load.windows) {
      console.log(
        `${window.name}: clients' failed answers: ${summary(window.clients.failures)}; slowest answer ${window.clients.slowest} ms`,
      );
    }
    expect(tallies.filter((t) => t.duplicated > 0 || lost(t) > 0)).toEqual([]);
    // No function fell over by itself when a store went away: the drill's own kill is the only
    // exit (a crash restarts in a second or so, and callers meanwhile got 502s from the edge).
    const exited = [...crashes(await platformStatus())]
      .map(([name, n]) => ({ name, crashes: n - (crashesBefore.get(name) ?? 0) }))
      .filter((s) => s.crashes > 0);
    expect(exited).toEqual([{ name: AGGREGATOR, crashes: 1 }]);
    // While stores were down, callers were told to come back (503 + Retry-After), not failed.
    const wrong = load.windows.flatMap((w) =>
      w.clients.failures
        .filter((f) => f.status !== 503 || !f.retryAfter)
        .map((f) => ({ window: w.name, ...f })),
    );
    expect(wrong).toEqual([]);
    // Nothing restarted by hand: the same platform process, every function ready or idle.
    expect(daemonPid("platform")).toBe(platformPid);
    const status = await platformStatus();
    expect(status.services.filter((s) => !["ready", "idle"].includes(s.state))).toEqual([]);
    // Retried through every outage, never given up on.
    expect(deadLettered(status)).toEqual(deadLetteredBefore);
    expect(await theStream()).toMatchObject({ streamId });
  }, 420_000);
  // Last: killing the gateway (stream-server) also ends the drill's live stream.
  it("chat: the chat function and the gateway SIGKILLed mid-chat; nothing accepted is lost", async () => {
    const drill = await chatDrill(owner, liveChannelId);
    console.log(
      `chat: ${drill.accepted.length} messages accepted, ${drill.browsers.length} browsers`,
    );
    expect(drill.accepted.length).toBeGreaterThan(30);
    expect(drill.browsers).toEqual(drill.browsers.map(() => ({ missing: [], duplicated: [] })));
  }, 300_000);
});
