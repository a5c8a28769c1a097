// Viewing history with the real servers (#26 item 1): a signed-in person's view token names them
// (from the session, never from the request), their beacons go through Kafka to the aggregation
// sink, and /api/me/history answers what they watched, for how long and where they stopped,
// newest first, in pages. A redelivered CloudEvent counts once, a beat from before a clearing
// never brings the entry back, and nobody else sees or clears it.
import { type CloudEventV1, serviceUrls, toHttpBatch } from "@stream-platform/shared";
import {
  api,
  endedEvent,
  ingressToken,
  newUser,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import { beforeAll, describe, expect, it } from "vitest";

interface Entry {
  eventId: string;
  title: string;
  status: string;
  channel: { id: string; slug: string; title: string };
  watchedSeconds: number;
  position: number;
  duration?: number;
  updatedAt: string;
}
interface Page {
  items: Entry[];
  nextCursor?: string;
}
interface View {
  token: string;
  viewerId: string;
  sessionId: string;
  eventId: string;
}

let owner: TestUser;
let viewer: TestUser;
let stranger: TestUser;
let slug: string;
const events: string[] = [];

const viewFor = async (eventId: string, token?: string, extra: object = {}) => {
  const view = await api<View>("/api/analytics/views", {
    ...(token && { token }),
    body: { eventId, ...extra },
  });
  expect(view.status).toBe(201);
  return view.body;
};

/** The fields a view token carries (its payload is readable; only the platform can sign one). */
const fieldsOf = (token: string): unknown[] =>
  JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString());

const history = async (user: TestUser, query = "") => {
  const page = await api<Page>(`/api/me/history${query}`, { token: user.token });
  expect(page.status).toBe(200);
  return page.body;
};

/** Waits for the person's entry of an event to satisfy `ok`. */
const entryOf = (user: TestUser, eventId: string, ok: (entry: Entry) => boolean) =>
  until(
    `${eventId} in the history as expected`,
    async () => {
      const entry = (await history(user, "?limit=100")).items.find((e) => e.eventId === eventId);
      return entry && ok(entry) ? entry : undefined;
    },
    30_000,
    200,
  );

/** A heartbeat as the beacon endpoint makes one, with its own id and time. */
function beat(view: View, seq: number, at: Date, position: number, played = 10): CloudEventV1 {
  return {
    specversion: "1.0",
    id: `hb_${view.sessionId}_${seq}`,
    type: "streamplatform.viewer.heartbeat",
    source: "/test/history",
    subject: view.eventId,
    time: at.toISOString(),
    datacontenttype: "application/json",
    data: {
      eventId: view.eventId,
      viewerId: view.viewerId,
      sessionId: view.sessionId,
      viewToken: view.token,
      position,
      playedSeconds: played,
      bufferingSeconds: 0,
      duration: 300,
    },
    extensions: {},
  };
}

/** In one batch: one partition (the event is the key), delivered in this order. */
async function postBatch(beats: CloudEventV1[]): Promise<void> {
  const { headers, body } = toHttpBatch(beats);
  const response = await fetch(`${serviceUrls().edgeUrl}/ce`, {
    method: "POST",
    headers: { ...headers, authorization: `Bearer ${ingressToken()}` },
    body,
  });
  expect(response.status, await response.text()).toBe(202);
}

describe("viewing history", () => {
  beforeAll(async () => {
    [owner, viewer, stranger] = await Promise.all([
      newUser("history-creator"),
      newUser("history-viewer"),
      newUser("history-stranger"),
    ]);
    slug = uniqueSlug("history");
    const channel = await api<{ id: string }>("/api/channels", {
      token: owner.token,
      body: { slug, title: "Rewatched" },
    });
    expect(channel.status).toBe(201);
    for (const title of ["First talk", "Second talk"])
      events.push(await endedEvent(owner.token, { channelId: channel.body.id, title }));
  }, 60_000);

  it("binds the session's user in the view token, never one the request names", async () => {
    const [first] = events as [string];
    const mine = await viewFor(first, viewer.token, { userId: stranger.id });
    expect(fieldsOf(mine.token)).toEqual([
      mine.viewerId,
      mine.sessionId,
      first,
      expect.any(Number),
      viewer.id,
    ]);
    // Signed out (the last token shown, as a browser does): anonymous, the viewer id kept.
    const anonymous = await viewFor(first, undefined, { previousToken: mine.token });
    expect(fieldsOf(anonymous.token)).toHaveLength(4);
    expect(anonymous.viewerId).toBe(mine.viewerId);
  });

  it("records what a person watched from their beacons, newest first, in pages", async () => {
    const [first, second] = events as [string, string];
    const view = await viewFor(first, viewer.token);
    for (const [seq, position] of [
      [1, 10],
      [2, 20],
      [3, 42.5],
    ] as const) {
      const sent = await api("/api/analytics/beacons", {
        body: { viewToken: view.token, seq, position, playedSeconds: 10, duration: 300 },
      });
      expect(sent.status).toBe(202);
    }
    const entry = await entryOf(viewer, first, (e) => e.position === 42.5);
    expect(entry).toMatchObject({
      title: "First talk",
      status: "ended",
      channel: { slug, title: "Rewatched" },
      watchedSeconds: 30,
      duration: 300,
    });
    // Anonymous beats of the same event are nobody's history.
    const anonymous = await viewFor(first);
    await api("/api/analytics/beacons", {
      body: { viewToken: anonymous.token, seq: 1, position: 250, playedSeconds: 10 },
    });

    const later = await viewFor(second, viewer.token);
    await api("/api/analytics/beacons", {
      body: { viewToken: later.token, seq: 1, position: 5, playedSeconds: 5, duration: 300 },
    });
    await entryOf(viewer, second, (e) => e.position === 5);
    const all = await history(viewer);
    expect(all.items.map((e) => e.eventId)).toEqual([second, first]);
    const page1 = await history(viewer, "?limit=1");
    expect(page1.items.map((e) => e.eventId)).toEqual([second]);
    expect(page1.nextCursor).toBe(second);
    const page2 = await history(viewer, `?limit=1&cursor=${page1.nextCursor}`);
    expect(page2.items.map((e) => e.eventId)).toEqual([first]);
    expect(page2.nextCursor).toBeUndefined();
    const one = await api<Entry>(`/api/me/history/${first}`, { token: viewer.token });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ eventId: first, position: 42.5, watchedSeconds: 30 });
  });

  it("counts a redelivered CloudEvent once", async () => {
    const [first] = events as [string];
    const before = await entryOf(viewer, first, () => true);
    const view = await viewFor(first, viewer.token);
    // Newer than the entry's last beat: the position moves to it.
    const now = Date.now();
    const once = beat(view, 1, new Date(now), 60, 7);
    await postBatch([once]);
    await entryOf(viewer, first, (e) => e.position === 60);
    // The same again, then a new beat behind it on the same partition: once that one shows,
    // the replay has been through.
    await postBatch([once, once, beat(view, 2, new Date(now + 1), 61, 1)]);
    const after = await entryOf(viewer, first, (e) => e.position === 61);
    expect(after.watchedSeconds).toBe(before.watchedSeconds + 7 + 1);
  });

  it("is its owner's alone: 401 without a session, others neither see nor clear it", async () => {
    const [first] = events as [string];
    for (const [method, path] of [
      ["GET", "/api/me/history"],
      ["GET", `/api/me/history/${first}`],
      ["DELETE", "/api/me/history"],
      ["DELETE", `/api/me/history/${first}`],
    ] as const) {
      const answer = await api(path, { method });
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.headers.get("content-type")).toContain("application/problem+json");
    }
    expect((await history(stranger)).items).toEqual([]);
    expect((await api(`/api/me/history/${first}`, { token: stranger.token })).status).toBe(404);
    for (const path of ["/api/me/history", `/api/me/history/${first}`])
      expect((await api(path, { method: "DELETE", token: stranger.token })).status).toBe(204);
    expect((await history(viewer)).items).toHaveLength(2);
  });

  it("names the field of bad input", async () => {
    for (const [method, path, field] of [
      ["GET", "/api/me/history?limit=0", "limit"],
      ["GET", "/api/me/history?limit=lots", "limit"],
      ["GET", "/api/me/history?cursor=nope", "cursor"],
      ["GET", "/api/me/history/nope", "eventId"],
      ["DELETE", "/api/me/history/nope", "eventId"],
    ] as const) {
      const answer = await api<{ errors: { field: string }[] }>(path, {
        method,
        token: viewer.token,
      });
      expect(answer.status, path).toBe(400);
      expect(answer.headers.get("content-type")).toContain("application/problem+json");
      expect(answer.body.errors.map((e) => e.field)).toEqual([field]);
    }
  });

  it("forgets one event, then all, and a beat from before never brings one back", async () => {
    const [first, second] = events as [string, string];
    const view = await viewFor(first, viewer.token);
    const old = beat(view, 1, new Date(), 99);
    await postBatch([old]);
    await entryOf(viewer, first, (e) => e.position === 99);

    expect(
      (await api(`/api/me/history/${first}`, { method: "DELETE", token: viewer.token })).status,
    ).toBe(204);
    expect((await history(viewer)).items.map((e) => e.eventId)).toEqual([second]);
    expect((await api(`/api/me/history/${first}`, { token: viewer.token })).status).toBe(404);
    // The old beat again, and one watched after the clearing: only the new one counts.
    await postBatch([old, beat(view, 2, new Date(), 12, 3)]);
    const again = await entryOf(viewer, first, (e) => e.position === 12);
    expect(again.watchedSeconds).toBe(3);

    expect((await api("/api/me/history", { method: "DELETE", token: viewer.token })).status).toBe(
      204,
    );
    expect((await history(viewer)).items).toEqual([]);
  });
});
