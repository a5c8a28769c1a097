// Chat with the real servers, through the edge: messages posted to the chat function reach
// open SSE connections (stream-server's gateway, through Kafka), a newcomer gets the last 50, a
// reconnect with Last-Event-ID gets what it missed (deletions too); moderation (delete, time
// out, ban, slow mode, followers-only, blocked words, moderators, the log) and the rate limits.
import { randomUUID } from "node:crypto";
import { createEvent, serviceUrls } from "@stream-platform/shared";
import {
  type ApiResponse,
  api,
  newUser,
  openSse,
  postToIngress,
  type SseStream,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Message {
  id: string;
  eventId: string;
  author: string;
  text: string;
  sentAt: string;
  offsetSeconds?: number;
}

const E = serviceUrls().edgeUrl;
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const streams: SseStream[] = [];

let owner: TestUser;
let viewer: TestUser;
let channelId: string;

async function newEvent(title = "Chat test"): Promise<string> {
  const event = await api<{ id: string }>("/api/events", {
    token: owner.token,
    body: { channelId, title, startsAt: inAnHour() },
  });
  expect(event.status).toBe(201);
  return event.body.id;
}

/** Posts as `who`; waits out the per-address limit (other posts of this file share it). */
async function post(who: TestUser, eventId: string, text: string): Promise<ApiResponse<Message>> {
  for (;;) {
    const response = await api<Message>(`/api/chat/events/${eventId}/messages`, {
      token: who.token,
      body: { text },
    });
    const detail = (response.body as unknown as { detail?: string }).detail ?? "";
    if (response.status !== 429 || !detail.includes("address")) return response;
    await new Promise((r) => setTimeout(r, 1000 * Number(response.headers.get("retry-after"))));
  }
}

async function room(eventId: string, lastEventId?: string): Promise<SseStream<Message>> {
  const stream = await openSse<Message>(
    `${E}/api/chat/stream?eventId=${eventId}`,
    lastEventId ? { "last-event-id": lastEventId } : {},
  );
  streams.push(stream as SseStream);
  expect(stream.status).toBe(200);
  return stream;
}

const messages = (stream: SseStream<Message>) =>
  stream.events.filter((e) => e.event === "message").map((e) => e.data.text);

const settings = (body: Record<string, unknown>, who = owner) =>
  api(`/api/chat/channels/${channelId}/settings`, { method: "PATCH", token: who.token, body });

beforeAll(async () => {
  [owner, viewer] = await Promise.all([newUser("chat-owner"), newUser("chat-viewer")]);
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug("chat"), title: "Chat channel" },
  });
  channelId = channel.body.id;
});

afterAll(() => {
  for (const stream of streams) stream.close();
});

describe("a room", () => {
  it("delivers a message to every open connection, as text, with its author", async () => {
    const eventId = await newEvent();
    const [a, b] = await Promise.all([room(eventId), room(eventId)]);
    const xss = `<img src=x onerror="alert(1)">🚀 <script>alert(2)</script> 日本語`;
    const posted = await post(viewer, eventId, `  ${xss}  `);
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ eventId, author: "chat-viewer", text: xss });
    for (const stream of [a, b]) {
      const got = await stream.waitFor("the message", (e) => e.id === posted.body.id);
      expect(got).toMatchObject({ event: "message", data: { text: xss, author: "chat-viewer" } });
    }
    expect(await api(`/api/chat/events/${eventId}/messages`)).toMatchObject({
      status: 200,
      body: { items: [{ id: posted.body.id, text: xss }] },
    });
  });

  it("needs a session to post, a valid event, and text of at most 500 characters", async () => {
    const eventId = await newEvent();
    const path = `/api/chat/events/${eventId}/messages`;
    expect((await api(path, { body: { text: "hi" } })).status).toBe(401);
    expect((await post(viewer, "evt_doesnotexist0000", "hi")).status).toBe(404);
    const long = await post(viewer, eventId, "é".repeat(501));
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).toContain('"field":"text"');
    expect((await post(viewer, eventId, "🚀".repeat(500))).status).toBe(201);
    const bad = await api<{ errors: { field: string }[] }>("/api/chat/stream?eventId=nope");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.field).toBe("eventId");
  });

  it("gives a newcomer the last 50 messages, oldest first", async () => {
    const eventId = await newEvent();
    const posters = await Promise.all(Array.from({ length: 11 }, (_, i) => newUser(`chat-p${i}`)));
    const texts: string[] = [];
    for (let i = 0; i < 55; i++) {
      const text = `message ${i}`;
      expect((await post(posters[Math.floor(i / 5)] as TestUser, eventId, text)).status).toBe(201);
      texts.push(text);
    }
    const stream = await room(eventId);
    await until("50 messages", () => (messages(stream).length >= 50 ? true : undefined));
    expect(messages(stream)).toEqual(texts.slice(5));
  });

  it("replays what a reconnect missed after its Last-Event-ID, not the last 50", async () => {
    const eventId = await newEvent();
    const viewer = await newUser("chat-reconnect");
    const first = await room(eventId);
    const a = await post(viewer, eventId, "before the drop");
    await first.waitFor("the first message", (e) => e.id === a.body.id);
    first.close();
    const b = await post(viewer, eventId, "missed one");
    const c = await post(viewer, eventId, "missed two");
    const again = await room(eventId, a.body.id);
    await again.waitFor("the second missed message", (e) => e.id === c.body.id);
    expect(messages(again)).toEqual(["missed one", "missed two"]);
    expect(again.events.map((e) => e.id)).toEqual([b.body.id, c.body.id]);
    const d = await post(viewer, eventId, "live again");
    await again.waitFor("a live message after the replay", (e) => e.id === d.body.id);
    expect(messages(again)).toEqual(["missed one", "missed two", "live again"]);
  });
});

describe("moderation", () => {
  it("a deleted message leaves every open connection, and a reconnect hears of it", async () => {
    const eventId = await newEvent();
    const open = await room(eventId);
    const dropped = await room(eventId);
    const m = await post(viewer, eventId, "rude words");
    await dropped.waitFor("the message", (e) => e.id === m.body.id);
    dropped.close();
    expect((await api(`/api/chat/messages/${m.body.id}`, { method: "DELETE" })).status).toBe(401);
    const byViewer = await api(`/api/chat/messages/${m.body.id}`, {
      method: "DELETE",
      token: viewer.token,
    });
    expect(byViewer.status).toBe(403);
    const deleted = await api(`/api/chat/messages/${m.body.id}`, {
      method: "DELETE",
      token: owner.token,
    });
    expect(deleted.status).toBe(204);
    await open.waitFor(
      "the deletion",
      (e) => e.event === "deleted" && (e.data as { id?: string }).id === m.body.id,
    );
    const back = await room(eventId, m.body.id);
    await back.waitFor("the deletion, replayed", (e) => e.event === "deleted");
    expect(
      (await api<{ items: Message[] }>(`/api/chat/events/${eventId}/messages`)).body.items,
    ).toEqual([]);
  });

  it("a timeout and a ban refuse posts with the reason, until lifted", async () => {
    const eventId = await newEvent();
    const person = await newUser("chat-banned");
    const bans = `/api/chat/channels/${channelId}/bans/${person.id}`;
    expect(
      (await api(bans, { method: "PUT", token: viewer.token, body: { reason: "x" } })).status,
    ).toBe(403);
    const timeout = await api(bans, {
      method: "PUT",
      token: owner.token,
      body: { reason: "cool off", minutes: 5 },
    });
    expect(timeout.status).toBe(200);
    const timedOut = await post(person, eventId, "hello?");
    expect(timedOut.status).toBe(403);
    expect(timedOut.headers.get("content-type")).toBe("application/problem+json");
    expect(JSON.stringify(timedOut.body)).toContain("cool off");
    expect(Number(timedOut.headers.get("retry-after"))).toBeGreaterThan(200);
    await api(bans, { method: "PUT", token: owner.token, body: { reason: "spamming links" } });
    const banned = await post(person, eventId, "hello?");
    expect(banned.status).toBe(403);
    expect(JSON.stringify(banned.body)).toContain(
      "banned from this channel's chat: spamming links",
    );
    const list = await api<{ items: { userId: string }[] }>(
      `/api/chat/channels/${channelId}/bans`,
      {
        token: owner.token,
      },
    );
    expect(list.body.items.map((b) => b.userId)).toContain(person.id);
    expect((await api(bans, { method: "DELETE", token: owner.token })).status).toBe(204);
    expect((await post(person, eventId, "I am back")).status).toBe(201);
    const ownBan = await api(`/api/chat/channels/${channelId}/bans/${owner.id}`, {
      method: "PUT",
      token: owner.token,
      body: { reason: "x" },
    });
    expect(ownBan.status).toBe(403);
  });

  it("slow mode: one message per N seconds per person, moderators exempt", async () => {
    const eventId = await newEvent();
    const person = await newUser("chat-slow");
    expect((await settings({ slowModeSeconds: 30 })).status).toBe(200);
    try {
      expect((await post(person, eventId, "one")).status).toBe(201);
      const second = await post(person, eventId, "two");
      expect(second.status).toBe(429);
      expect(JSON.stringify(second.body)).toContain("slow mode");
      expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(25);
      expect((await post(owner, eventId, "owner one")).status).toBe(201);
      expect((await post(owner, eventId, "owner two")).status).toBe(201);
    } finally {
      await settings({ slowModeSeconds: 0 });
    }
  });

  it("followers-only: a follower posts, someone else is told to follow first", async () => {
    const eventId = await newEvent();
    const person = await newUser("chat-follower");
    expect((await settings({ followersOnly: true })).status).toBe(200);
    try {
      const refused = await post(person, eventId, "let me in");
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).toContain("followers only");
      const follow = await api(`/api/subscriptions/channels/${channelId}`, {
        method: "PUT",
        token: person.token,
      });
      expect(follow.status).toBe(201);
      // The chat learns of it through Kafka (subscription.created).
      await until(
        "the follow to reach the chat",
        async () => {
          const r = await post(person, eventId, "I follow now");
          return r.status === 201 ? r : undefined;
        },
        30_000,
        250,
      );
    } finally {
      await settings({ followersOnly: false });
    }
  });

  it("blocked words: refused naming the field; moderators see the list, others do not", async () => {
    const eventId = await newEvent();
    const viewer = await newUser("chat-words");
    expect((await settings({ blockedWords: ["Spoiler", "bad phrase"] })).status).toBe(200);
    try {
      const refused = await post(viewer, eventId, "huge SPOILER ahead");
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('"field":"text"');
      expect((await post(viewer, eventId, "spoilers are fine")).status).toBe(201);
      expect((await post(viewer, eventId, "a BAD   phrase?")).status).toBe(201);
      expect((await post(viewer, eventId, "a bad phrase!")).status).toBe(400);
      const seen = await api(`/api/chat/channels/${channelId}/settings`, { token: owner.token });
      expect(seen.body).toMatchObject({
        canModerate: true,
        blockedWords: ["Spoiler", "bad phrase"],
      });
      const unseen = await api(`/api/chat/channels/${channelId}/settings`, { token: viewer.token });
      expect(unseen.body).toMatchObject({ canModerate: false });
      expect(unseen.body).not.toHaveProperty("blockedWords");
      expect((await settings({ blockedWords: ["x"] }, viewer)).status).toBe(403);
    } finally {
      await settings({ blockedWords: [] });
    }
  });

  it("moderators named by the owner delete and time out; every action is in the owner's log", async () => {
    const eventId = await newEvent();
    const [mod, troll] = await Promise.all([newUser("chat-mod"), newUser("chat-troll")]);
    const modPath = `/api/chat/channels/${channelId}/moderators/${mod.id}`;
    expect((await api(modPath, { method: "PUT", token: viewer.token })).status).toBe(403);
    expect((await api(modPath, { method: "PUT", token: owner.token })).status).toBe(201);
    const m = await post(troll, eventId, "troll message");
    expect(
      (await api(`/api/chat/messages/${m.body.id}`, { method: "DELETE", token: mod.token })).status,
    ).toBe(204);
    const timeout = await api(`/api/chat/channels/${channelId}/bans/${troll.id}`, {
      method: "PUT",
      token: mod.token,
      body: { reason: "trolling", minutes: 1 },
    });
    expect(timeout.status).toBe(200);
    // A moderator answers to the owner: they cannot ban another moderator, nor read the log.
    expect(
      (
        await api(`/api/chat/channels/${channelId}/bans/${mod.id}`, {
          method: "PUT",
          token: mod.token,
          body: { reason: "x" },
        })
      ).status,
    ).toBe(403);
    expect((await api(`/api/chat/channels/${channelId}/log`, { token: mod.token })).status).toBe(
      403,
    );
    const log = await api<{
      items: { actorId: string; action: string; targetUserId?: string; at: string }[];
    }>(`/api/chat/channels/${channelId}/log`, { token: owner.token });
    expect(log.status).toBe(200);
    const mine = log.body.items.filter(
      (e) => e.targetUserId === troll.id || e.targetUserId === mod.id,
    );
    expect(mine.map((e) => [e.action, e.actorId])).toEqual([
      ["user.timed-out", mod.id],
      ["message.deleted", mod.id],
      ["moderator.added", owner.id],
    ]);
    expect((await api(modPath, { method: "DELETE", token: owner.token })).status).toBe(204);
    expect(
      (await api(`/api/chat/channels/${channelId}/moderators`, { token: owner.token })).body,
    ).toEqual({ items: [] });
  });

  it("rate limits: a burst of 5 per person, then 429 with Retry-After", async () => {
    const eventId = await newEvent();
    const person = await newUser("chat-fast");
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await post(person, eventId, `fast ${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toContain(429);
  });
});

describe("offsets", () => {
  it("a message sent during the stream carries its offset; replay reads from an offset", async () => {
    const eventId = await newEvent("Chat offsets");
    const viewer = await newUser("chat-offsets");
    const before = await post(viewer, eventId, "before the stream");
    expect(before.body.offsetSeconds).toBeUndefined();
    // The stream starts just after that message.
    const startedAt = new Date(Date.parse(before.body.sentAt) + 1);
    const started = createEvent({
      type: "streamplatform.stream.started",
      source: "/tests/chat",
      subject: channelId,
      data: {
        streamId: `str_${randomUUID()}`,
        channelId,
        eventId,
        startedAt: startedAt.toISOString(),
      },
    });
    expect(await postToIngress(started)).toBe(202);
    const posted = await post(viewer, eventId, "during the stream");
    expect(posted.status).toBe(201);
    // Offsets are computed when read: known once the stream's start reached the chat (Kafka).
    const replay = await until("the stream start to reach the chat", async () => {
      const r = await api<{ items: Message[] }>(
        `/api/chat/events/${eventId}/messages?fromOffset=0&limit=500`,
      );
      return r.body.items.length > 0 ? r.body.items : undefined;
    });
    expect(replay.map((m) => m.id)).toEqual([posted.body.id]);
    const during = replay[0] as Message;
    const elapsed = (Date.parse(during.sentAt) - startedAt.getTime()) / 1000;
    // Tenths of a second, rounded: at most half a tenth from the exact figure (0.05 rounds up).
    expect(Math.abs((during.offsetSeconds ?? Number.NaN) - elapsed)).toBeLessThanOrEqual(0.0501);
    const all = await api<{ items: Message[] }>(`/api/chat/events/${eventId}/messages`);
    expect(all.body.items.map((m) => [m.text, m.offsetSeconds])).toEqual([
      ["before the stream", undefined],
      ["during the stream", during.offsetSeconds],
    ]);
    const later = await api<{ items: Message[] }>(
      `/api/chat/events/${eventId}/messages?fromOffset=${(during.offsetSeconds ?? 0) + 1}`,
    );
    expect(later.body.items).toEqual([]);
  });
});
