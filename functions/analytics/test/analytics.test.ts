// Analytics with the real servers: heartbeats through /ce → Kafka → the aggregator → MongoDB.
// 50 viewers watch for 60 s (beats dated over the last minute); the figures add up, replaying
// the same CloudEvents changes nothing, concurrency falls when half of them stop, and only the
// channel's owner sees the details.
import { randomBytes } from "node:crypto";
import { type CloudEventV1, createEvent, serviceUrls, toHttpBatch } from "@stream-platform/shared";
import {
  api,
  ingressToken,
  newUser,
  postToIngress,
  type TestUser,
  uniqueSlug,
  until,
  viewTokenFor,
} from "@stream-platform/shared/testing";
import { beforeAll, describe, expect, it } from "vitest";

const VIEWERS = 50;
const BEATS = 7; // at 0, 10, …, 60 s: 60 s of playback each
const run = randomBytes(4).toString("hex");

interface Details {
  concurrent: number;
  peak: number;
  unique: number;
  beats: number;
  watchSeconds: number;
  averageWatchSeconds: number;
  bufferingSeconds: number;
  rebufferingRatio: number;
  renditions: { rendition: string; seconds: number; share: number }[];
  timeline: { minute: string; viewers: number; watchSeconds: number }[];
}

let owner: TestUser;
let stranger: TestUser;
let channelId: string;
let eventId: string;

const viewerId = (n: number) => `viewer-${run}-${n}`;
const sessionId = (n: number) => `session-${run}-${n}`;

function beat(n: number, seq: number, at: Date, event = eventId): CloudEventV1 {
  const eventId = event;
  return {
    specversion: "1.0",
    id: `hb_${sessionId(n)}_${seq}`,
    type: "streamplatform.viewer.heartbeat",
    source: "/test/analytics",
    subject: eventId,
    time: at.toISOString(),
    datacontenttype: "application/json",
    data: {
      eventId,
      viewerId: viewerId(n),
      sessionId: sessionId(n),
      viewToken: viewTokenFor({ eventId, viewerId: viewerId(n), sessionId: sessionId(n) }),
      position: seq * 10,
      rendition: n % 2 === 0 ? "720p" : "360p",
      // The first beat says playback started; each later one, 10 s played; one stall of 2 s.
      playedSeconds: seq === 0 ? 0 : 10,
      bufferingSeconds: seq === 3 ? 2 : 0,
    },
    extensions: {},
  };
}

async function postBatch(events: CloudEventV1[]): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    const { headers, body } = toHttpBatch(events.slice(i, i + 100));
    const response = await fetch(`${serviceUrls().edgeUrl}/ce`, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${ingressToken()}` },
      body,
    });
    expect(response.status, await response.text()).toBe(202);
  }
}

const details = async () => {
  const response = await api<Details>(`/api/analytics/events/${eventId}/details`, {
    token: owner.token,
  });
  expect(response.status).toBe(200);
  return response.body;
};

const summary = async () =>
  (
    await api<{ concurrent: number; peak: number; unique: number }>(
      `/api/analytics/events/${eventId}`,
    )
  ).body;

const minuteOf = (at: Date) => `${at.toISOString().slice(0, 16)}:00.000Z`;

describe("analytics", () => {
  const start = new Date(Date.now() - 60_000);
  const beats: CloudEventV1[] = [];

  beforeAll(async () => {
    [owner, stranger] = await Promise.all([newUser("creator"), newUser("stranger")]);
    const channel = await api<{ id: string }>("/api/channels", {
      token: owner.token,
      body: { slug: uniqueSlug("stats"), title: "Figures" },
    });
    expect(channel.status).toBe(201);
    channelId = channel.body.id;
    const event = await api<{ id: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId,
        title: "Counted",
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(event.status).toBe(201);
    eventId = event.body.id;
    for (let seq = 0; seq < BEATS; seq++)
      for (let n = 0; n < VIEWERS; n++)
        beats.push(beat(n, seq, new Date(start.getTime() + seq * 10_000)));
  });

  it("adds up 50 viewers watching for 60 s", async () => {
    await postBatch(beats);
    const figures = await until(
      "all 350 beats applied",
      async () => {
        const d = await details();
        return d.beats === VIEWERS * BEATS ? d : undefined;
      },
      30_000,
      200,
    );
    expect(figures.unique).toBe(VIEWERS);
    expect(figures.peak).toBe(VIEWERS);
    expect(figures.concurrent).toBe(VIEWERS);
    // 50 min in all, each viewer within one heartbeat interval of 60 s.
    expect(Math.abs(figures.watchSeconds - VIEWERS * 60)).toBeLessThanOrEqual(VIEWERS * 10);
    expect(figures.averageWatchSeconds).toBe(60);
    expect(figures.bufferingSeconds).toBe(VIEWERS * 2);
    expect(figures.rebufferingRatio).toBeCloseTo(100 / 3100, 3);
    expect(figures.renditions.map((r) => r.rendition).sort()).toEqual(["360p", "720p"]);
    expect(figures.renditions[0]?.share).toBeCloseTo(0.5, 2);
    // A bucket per minute the beats span, each with all 50 viewers.
    const minutes = [...new Set(beats.map((b) => minuteOf(new Date(b.time as string))))];
    expect(figures.timeline.map((bucket) => bucket.minute)).toEqual(minutes);
    for (const bucket of figures.timeline) expect(bucket.viewers).toBe(VIEWERS);
    const timelineWatch = figures.timeline.reduce((total, b) => total + b.watchSeconds, 0);
    expect(timelineWatch).toBe(figures.watchSeconds);
    expect(await summary()).toMatchObject({ unique: VIEWERS, peak: VIEWERS });
  });

  it("changes nothing when the same CloudEvents arrive again", async () => {
    const before = await details();
    // The same 350 again, then one new beat (an old one, so it does not count as watching
    // now): once it is in, the replay before it on the same partition has been through too.
    const marker = beat(VIEWERS, 1, start);
    await postBatch([...beats, marker]);
    const after = await until(
      "the marker beat applied",
      async () => {
        const d = await details();
        return d.beats === before.beats + 1 ? d : undefined;
      },
      30_000,
      200,
    );
    expect(after.unique).toBe(before.unique + 1);
    expect(after.watchSeconds).toBe(before.watchSeconds + 10);
    expect(after.bufferingSeconds).toBe(before.bufferingSeconds);
    expect(after.peak).toBe(before.peak);
  });

  it("counts only who still watches: half stop, concurrency falls to 25 within 40 s", async () => {
    let seq = BEATS;
    const stopped = Date.now();
    const keepWatching = async () => {
      const now = new Date();
      await postBatch(Array.from({ length: VIEWERS / 2 }, (_, n) => beat(n, seq, now)));
      seq += 1;
    };
    await keepWatching();
    const timer = setInterval(() => void keepWatching(), 10_000);
    try {
      await until(
        "concurrency 25",
        async () => ((await summary()).concurrent === VIEWERS / 2 ? true : undefined),
        40_000,
        500,
      );
    } finally {
      clearInterval(timer);
    }
    expect(Date.now() - stopped).toBeLessThan(40_000);
    expect((await details()).peak).toBe(VIEWERS);
  }, 60_000);

  it("shows the details to the channel's owner only", async () => {
    const path = `/api/analytics/events/${eventId}/details`;
    expect((await api(path)).status).toBe(401);
    const refused = await api(path, { token: stranger.token });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect((await api(path, { token: owner.token })).status).toBe(200);
    // The summary is public.
    expect((await api(`/api/analytics/events/${eventId}`)).status).toBe(200);
    // So is a channel's total, to its owner only.
    const channelPath = `/api/analytics/channels/${channelId}`;
    expect((await api(channelPath, { token: stranger.token })).status).toBe(403);
    const totals = await api<{ events: number; viewers: number }>(channelPath, {
      token: owner.token,
    });
    expect(totals.status).toBe(200);
    expect(totals.body).toMatchObject({ events: 1, viewers: VIEWERS + 1 });
    expect((await api("/api/analytics/events/evt_nosuchevent00")).status).toBe(404);
    expect((await api("/api/analytics/events/not-an-id")).status).toBe(400);
  });

  it("gives view tokens for what can be watched, and counts beacons that carry one", async () => {
    type Problem = { detail?: string; errors?: { field: string }[] };
    type View = { token: string; viewerId: string; sessionId: string };
    const ask = (body: unknown) => api<View & Problem>("/api/analytics/views", { body });
    // Scheduled: nothing to watch yet. Unknown: 404. Not an event id: 400.
    const early = await ask({ eventId });
    expect(early.status).toBe(409);
    expect(early.body.errors?.map((e) => e.field)).toEqual(["eventId"]);
    expect((await ask({ eventId: "evt_nosuchevent00" })).status).toBe(404);
    expect((await ask({ eventId: "x" })).body.errors?.map((e) => e.field)).toEqual(["eventId"]);
    expect(
      await postToIngress(
        createEvent({
          type: "streamplatform.stream.started",
          source: "/test/analytics",
          subject: channelId,
          data: {
            streamId: `stream-${run}`,
            channelId,
            eventId,
            startedAt: new Date().toISOString(),
          },
        }),
      ),
    ).toBe(202);
    const view = await until(
      "a view token once the event is live",
      async () => {
        const answer = await ask({ eventId });
        return answer.status === 201 ? answer.body : undefined;
      },
      30_000,
      200,
    );
    // The same browser asking again (its last token): the same viewer, a new session.
    const again = await ask({ eventId, previousToken: view.token });
    expect(again.status).toBe(201);
    expect(again.body.viewerId).toBe(view.viewerId);
    expect(again.body.sessionId).not.toBe(view.sessionId);

    const good = { viewToken: view.token, seq: 0, position: 0, playedSeconds: 0 };
    const post = (body: unknown, type = "text/plain;charset=UTF-8") =>
      api<Problem>("/api/analytics/beacons", {
        body: typeof body === "string" ? body : JSON.stringify(body),
        headers: { "content-type": type },
      });
    const forged = await post({ ...good, viewToken: `${view.token.split(".")[0]}.forged` });
    expect(forged.status).toBe(400);
    expect(forged.body.errors?.map((e) => e.field)).toEqual(["viewToken"]);
    expect((await post("{not json")).status).toBe(400);
    const inBatch = await post([good, { ...good, seq: 1, viewToken: "x" }]);
    expect(inBatch.status).toBe(400);
    expect(inBatch.body.errors?.map((e) => e.field)).toEqual(["[1].viewToken"]);
    const before = (await details()).unique;
    expect((await post(good)).status).toBe(202);
    // Retried (same session and seq): the same beat, counted once.
    expect((await post([good], "application/json")).status).toBe(202);
    const after = await until(
      "the beacon's viewer counted",
      async () => {
        const d = await details();
        return d.unique > before ? d : undefined;
      },
      30_000,
      200,
    );
    expect(after.unique).toBe(before + 1);
  });
});

describe("trending (GET /api/analytics/trending)", () => {
  it("ranks the events most watched in the window first, by viewer-minutes; refuses odd windows", async () => {
    const schedule = async (title: string) => {
      const event = await api<{ id: string }>("/api/events", {
        token: owner.token,
        body: { channelId, title, startsAt: new Date(Date.now() + 3_600_000).toISOString() },
      });
      expect(event.status).toBe(201);
      return event.body.id;
    };
    const [popular, quiet] = await Promise.all([schedule("Popular"), schedule("Quiet")]);
    // Viewers of their own (numbers no other test's beats use), one beat each, now.
    const now = new Date();
    const viewers = (event: string, from: number, count: number) =>
      Array.from({ length: count }, (_, i) => beat(from + i, 0, now, event));
    await postBatch([...viewers(popular, 1000, 60), ...viewers(quiet, 2000, 30)]);
    await until("both events counted", async () => {
      const [a, b] = await Promise.all(
        [popular, quiet].map((id) => api<{ unique: number }>(`/api/analytics/events/${id}`)),
      );
      return a?.body.unique === 60 && b?.body.unique === 30 ? true : undefined;
    });
    // The last hour (what other tests watched before it may rank above). The list is worked
    // out again at most every 30 s, in the background while the last one is answered: a run
    // soon after another one may first get that one.
    const answer = await until(
      "both events trending",
      async () => {
        const list = await api<{ items: { eventId: string; viewerMinutes: number }[] }>(
          "/api/analytics/trending?hours=1&limit=50",
        );
        const ids = list.body.items.map((item) => item.eventId);
        return ids.includes(popular) && ids.includes(quiet) ? list : undefined;
      },
      60_000,
      500,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("public, max-age=30");
    const ids = answer.body.items.map((item) => item.eventId);
    expect(ids).toContain(quiet);
    expect(ids.indexOf(popular)).toBeLessThan(ids.indexOf(quiet));
    const minutes = (id: string) => answer.body.items.find((item) => item.eventId === id);
    expect(minutes(popular)?.viewerMinutes).toBe(60);
    expect(minutes(quiet)?.viewerMinutes).toBe(30);
    for (const [query, field] of [
      ["hours=0", "hours"],
      ["hours=49", "hours"],
      ["limit=51", "limit"],
      ["limit=many", "limit"],
    ]) {
      const refused = await api<{ errors: { field: string }[] }>(
        `/api/analytics/trending?${query}`,
      );
      expect(refused.status, query).toBe(400);
      expect(refused.body.errors.map((e) => e.field)).toEqual([field]);
    }
  });
});
