// Notifications with the real servers: a stream starting on a followed channel reaches the
// follower's open SSE connection (stream-server's gateway) and inbox, naming the channel, once
// (a stream nobody scheduled, too); reconnecting with Last-Event-ID replays what was missed;
// nobody else hears of it or can touch it.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createEvent, serviceUrls } from "@stream-platform/shared";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import {
  api,
  type EventWatch,
  newUser,
  postToIngress,
  type TestUser,
  uniqueSlug,
  until,
  watchEvents,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logDir } from "../../../local/src/paths.ts";

interface Received {
  id: string;
  kind: string;
  eventId: string;
  title: string;
  channelTitle?: string;
}

interface SseStream {
  status: number;
  received: Received[];
  waitFor(match: (n: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): void;
}

/** An SSE connection through the edge, parsed as EventSource would. */
async function openStream(
  token: string | undefined,
  lastEventId?: string,
  how: "header" | "query" = "header",
): Promise<SseStream> {
  const abort = new AbortController();
  const query = token && how === "query" ? `?token=${encodeURIComponent(token)}` : "";
  const response = await fetch(`${serviceUrls().edgeUrl}/api/me/notifications/stream${query}`, {
    headers: {
      ...(token && how === "header" && { authorization: `Bearer ${token}` }),
      ...(lastEventId && { "last-event-id": lastEventId }),
    },
    signal: abort.signal,
  });
  const received: Received[] = [];
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split("\n").find((line) => line.startsWith("data: "));
            if (data) received.push(JSON.parse(data.slice(6)) as Received);
          }
        }
      } catch {
        // aborted
      }
    })();
  } else {
    await response.arrayBuffer();
  }
  return {
    status: response.status,
    received,
    waitFor: (match, timeoutMs = 10_000) =>
      until(
        `a matching notification (got ${JSON.stringify(received)})`,
        () => received.find(match),
        timeoutMs,
        20,
      ),
    close: () => abort.abort(),
  };
}

interface InboxPage {
  items: (Received & { read: boolean })[];
  unread: number;
}

const inbox = (user: TestUser, query = "") =>
  api<InboxPage>(`/api/me/notifications${query}`, { token: user.token });

let owner: TestUser;
let follower: TestUser;
let stranger: TestUser;
let channelId: string;
let watch: EventWatch;

beforeAll(async () => {
  [owner, follower, stranger] = await Promise.all([
    newUser("host"),
    newUser("follower"),
    newUser("stranger"),
  ]);
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug(), title: "Notified channel" },
  });
  channelId = channel.body.id;
  const followed = await api(`/api/subscriptions/channels/${channelId}`, {
    method: "PUT",
    token: follower.token,
  });
  expect(followed.status).toBe(201);
  watch = await watchEvents(["events", "notifications"]);
});

afterAll(async () => {
  await watch?.stop();
});

describe("live notifications", () => {
  it("tells an open SSE connection 'live now' (bench:notifications measures how fast), replays what a reconnect missed, and tells nobody else", async () => {
    const event = await api<{ id: string; startsAt: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId,
        title: "Notified launch",
        startsAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      },
    });
    expect(event.status).toBe(201);
    const eventId = event.body.id;
    const scheduled = await watch.waitFor(
      (e) =>
        e.type === "streamplatform.notification.created" &&
        (e.data as Received).eventId === eventId,
    );
    expect(scheduled.data).toMatchObject({
      kind: "event.scheduled",
      channelTitle: "Notified channel",
    });

    const [followerStream, strangerStream] = await Promise.all([
      openStream(follower.token),
      openStream(stranger.token),
    ]);
    expect(followerStream.status).toBe(200);
    expect(strangerStream.status).toBe(200);

    const status = await postToIngress(
      createEvent({
        type: "streamplatform.stream.started",
        source: "/tests/notifications",
        subject: channelId,
        data: {
          streamId: `str_${randomUUID().slice(0, 8)}`,
          channelId,
          eventId,
          startedAt: new Date().toISOString(),
        },
      }),
    );
    expect(status).toBe(202);
    const live = await followerStream.waitFor(
      (n) => n.kind === "event.live" && n.eventId === eventId,
    );
    expect(live.title).toBe("Notified launch");
    expect(live.channelTitle).toBe("Notified channel");

    // Offline: the event ends in the meantime (no notification) … and a second one is scheduled.
    followerStream.close();
    const next = await api<{ id: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId,
        title: "Encore",
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(next.status).toBe(201);
    await watch.waitFor(
      (e) =>
        e.type === "streamplatform.notification.created" &&
        (e.data as Received).eventId === next.body.id,
    );
    // As EventSource does it: the token in the query string (kept out of the edge's log).
    const reconnected = await openStream(follower.token, live.id, "query");
    const missed = await reconnected.waitFor((n) => n.eventId === next.body.id);
    expect(missed.kind).toBe("event.scheduled");
    expect(reconnected.received.map((n) => n.id)).not.toContain(live.id);
    reconnected.close();
    const accessLog = readFileSync(join(logDir, "edge-access.log"), "utf8");
    expect(accessLog).toContain("/api/me/notifications/stream");
    expect(accessLog).not.toContain(follower.token);

    expect(strangerStream.received).toEqual([]);
    strangerStream.close();
    expect((await inbox(stranger)).body.items).toEqual([]);
  });

  it("notifies when the time of an event changes, not for other edits", async () => {
    const event = await api<{ id: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId,
        title: "Moving target",
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    const edit = (body: Record<string, unknown>) =>
      api(`/api/events/${event.body.id}`, { method: "PATCH", token: owner.token, body });
    expect((await edit({ title: "Moving target (renamed)" })).status).toBe(200);
    expect(
      (await edit({ startsAt: new Date(Date.now() + 2 * 86_400_000).toISOString() })).status,
    ).toBe(200);
    const updated = await watch.waitFor(
      (e) =>
        e.type === "streamplatform.notification.created" &&
        (e.data as Received & { kind: string }).kind === "event.updated" &&
        (e.data as Received).eventId === event.body.id,
    );
    expect((updated.data as Received).title).toBe("Moving target (renamed)");
    // The inbox entry is written beside the CloudEvent, maybe a moment after it.
    const kinds = await until("both notifications in the inbox", async () => {
      const items = (await inbox(follower)).body.items.filter((n) => n.eventId === event.body.id);
      return items.length >= 2 ? items.map((n) => n.kind) : undefined;
    });
    expect(kinds.sort()).toEqual(["event.scheduled", "event.updated"]);
  });

  it("tells of a stream nobody scheduled once, 'live', naming the channel (not a 'new event' too), however often it comes", async () => {
    const [host, fan] = await Promise.all([
      newUser("unscheduled-host"),
      newUser("unscheduled-fan"),
    ]);
    const channel = await api<{ id: string }>("/api/channels", {
      token: host.token,
      body: { slug: uniqueSlug(), title: "Spontaneous channel" },
    });
    const unscheduledId = channel.body.id;
    expect(
      (
        await api(`/api/subscriptions/channels/${unscheduledId}`, {
          method: "PUT",
          token: fan.token,
        })
      ).status,
    ).toBe(201);
    const fanStream = await openStream(fan.token);
    expect(fanStream.status).toBe(200);
    // No event on the channel: the events function makes one, created live (event.created, then
    // event.live, on the event's key).
    const started = createEvent({
      type: "streamplatform.stream.started",
      source: "/tests/notifications",
      subject: unscheduledId,
      data: {
        streamId: `str_${randomUUID().slice(0, 8)}`,
        channelId: unscheduledId,
        startedAt: new Date().toISOString(),
      },
    });
    expect(await postToIngress(started)).toBe(202);
    const created = await watch.waitFor(
      (e) =>
        e.type === "streamplatform.event.created" &&
        (e.data as { channelId: string }).channelId === unscheduledId,
    );
    const eventId = (created.data as { eventId: string }).eventId;
    expect(created.data).toMatchObject({ status: "live", title: "Live now" });
    const live = await fanStream.waitFor((n) => n.eventId === eventId);
    expect(live).toMatchObject({
      kind: "event.live",
      title: "Live now",
      channelTitle: "Spontaneous channel",
    });

    // Both CloudEvents again (a redelivery), in their order on the event's key: the live one's
    // notification is published again (same id), so the created one before it was handled.
    const liveEvent = await watch.waitFor(
      (e) => e.type === "streamplatform.event.live" && (e.data as Received).eventId === eventId,
    );
    const publisher = new EventPublisher(createKafka("test-redeliver-created"));
    await publisher.publish([created, liveEvent]);
    await publisher.disconnect();
    const told = () =>
      watch.events.filter(
        (e) =>
          e.type === "streamplatform.notification.created" &&
          (e.data as Received).eventId === eventId,
      );
    await until("the redelivered event.live handled", () => told().length >= 2 || undefined);
    fanStream.close();
    expect(new Set(told().map((e) => e.id))).toEqual(new Set([live.id]));
    expect(told().map((e) => (e.data as Received).kind)).toEqual(["event.live", "event.live"]);
    const items = (await inbox(fan, "?limit=100")).body.items;
    expect(items.map((n) => [n.eventId, n.kind, n.channelTitle])).toEqual([
      [eventId, "event.live", "Spontaneous channel"],
    ]);
  });
});

describe("the inbox", () => {
  it("is idempotent on the CloudEvent id: a redelivered event adds nothing", async () => {
    const before = await inbox(follower, "?limit=100");
    const live = watch.events.find(
      (e) =>
        e.type === "streamplatform.event.live" &&
        (e.data as { channelId: string }).channelId === channelId,
    );
    expect(live).toBeDefined();
    const eventId = (live?.data as { eventId: string } | undefined)?.eventId ?? "";
    const told = () =>
      watch.events.filter(
        (e) =>
          e.type === "streamplatform.notification.created" &&
          e.subject === follower.id &&
          (e.data as Received).eventId === eventId &&
          (e.data as Received).kind === "event.live",
      );
    const first = await until("the live notification", () => told()[0]);
    const publisher = new EventPublisher(createKafka("test-redeliver"));
    await publisher.publish([live as NonNullable<typeof live>]);
    await publisher.disconnect();
    // The copy's notification is published again (a crash may have kept it from going out the
    // first time), under the same id: then the copy has been handled.
    await until("the copy handled", () => told()[1]);
    expect(told().map((e) => e.id)).toEqual([first.id, first.id]);
    const after = await inbox(follower, "?limit=100");
    expect(after.body.items.map((n) => n.id)).toEqual(before.body.items.map((n) => n.id));
  });

  it("pages, counts unread, and marks read — each person only their own", async () => {
    const page = await inbox(follower, "?limit=1");
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.unread).toBeGreaterThanOrEqual(3);
    const target = page.body.items[0] as Received;

    // Someone else's: invisible and untouchable.
    expect(
      (
        await api(`/api/me/notifications/${target.id}/read`, {
          method: "POST",
          token: stranger.token,
        })
      ).status,
    ).toBe(404);
    expect((await api(`/api/me/notifications/${target.id}/read`, { method: "POST" })).status).toBe(
      401,
    );
    expect((await api("/api/me/notifications")).status).toBe(401);
    expect((await openStream(undefined)).status).toBe(401);
    expect((await openStream("not.a.token")).status).toBe(401);
    expect(
      (await api("/api/me/notifications/nope/read", { method: "POST", token: follower.token }))
        .status,
    ).toBe(400);

    const marked = await api<{ unread: number }>(`/api/me/notifications/${target.id}/read`, {
      method: "POST",
      token: follower.token,
    });
    expect(marked.status).toBe(200);
    expect(marked.body.unread).toBe(page.body.unread - 1);
    expect(
      (await inbox(follower, "?unread=true&limit=100")).body.items.map((n) => n.id),
    ).not.toContain(target.id);

    const all = await api<{ unread: number }>("/api/me/notifications/read-all", {
      method: "POST",
      token: follower.token,
    });
    expect(all.body.unread).toBe(0);
    expect((await inbox(follower)).body.unread).toBe(0);
  });
});

describe("searching the inbox (#26 item 6)", () => {
  it("finds what a person's notifications say, every word, case aside; their own only; paged", async () => {
    const w = randomUUID().slice(0, 8);
    const reader = await newUser("reader");
    const channel = await api<{ id: string }>("/api/channels", {
      token: owner.token,
      body: { slug: uniqueSlug(), title: `Sky ${w} channel` },
    });
    const followed = await api(`/api/subscriptions/channels/${channel.body.id}`, {
      method: "PUT",
      token: reader.token,
    });
    expect(followed.status).toBe(201);
    const schedule = async (title: string) => {
      const event = await api<{ id: string }>("/api/events", {
        token: owner.token,
        body: {
          channelId: channel.body.id,
          title,
          startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      });
      expect(event.status).toBe(201);
      return event.body.id;
    };
    const comet = await schedule(`Comet ${w} watch`);
    const eclipse = await schedule("Eclipse party");
    const cancelled = await api(`/api/events/${comet}`, { method: "DELETE", token: owner.token });
    expect(cancelled.status).toBe(200);
    await until("the three notifications in the inbox", async () =>
      (await inbox(reader, "?limit=100")).body.items.length === 3 ? true : undefined,
    );
    const found = async (q: string, who = reader) => {
      const answer = await inbox(who, `?q=${encodeURIComponent(q)}&limit=100`);
      expect(answer.status, q).toBe(200);
      return answer.body.items.map((n) => `${n.kind} ${n.eventId}`).sort();
    };
    const scheduledComet = `event.scheduled ${comet}`;
    const cancelledComet = `event.cancelled ${comet}`;
    const scheduledEclipse = `event.scheduled ${eclipse}`;
    // By the event's title, in any case; by the channel's; by the kind's own words.
    expect(await found("COMET")).toEqual([cancelledComet, scheduledComet]);
    expect(await found(`sky ${w}`)).toEqual(
      [cancelledComet, scheduledComet, scheduledEclipse].sort(),
    );
    expect(await found("cancelled")).toEqual([cancelledComet]);
    // Every word must be said.
    expect(await found("eclipse cancelled")).toEqual([]);
    expect(await found(`comet ${w} scheduled`)).toEqual([scheduledComet]);
    // Regular-expression characters are only characters.
    expect(await found(".*")).toEqual([]);
    // Nobody else's inbox: another person finds nothing of it.
    expect(await found(w, stranger)).toEqual([]);
    // Pages go on within the search.
    const first = await inbox(reader, `?q=${w}&limit=1`);
    expect(first.body.items).toHaveLength(1);
    const next = (first.body as { nextCursor?: string }).nextCursor;
    expect(next).toBeDefined();
    const second = await inbox(reader, `?q=${w}&limit=5&cursor=${next}`);
    expect(second.body.items.map((n) => n.id)).not.toContain(first.body.items[0]?.id);
    expect(second.body.items).toHaveLength(2);
    // A query too long, or of nothing but spaces, is refused naming q.
    for (const q of ["x".repeat(101), "   "]) {
      const refused = await api<{ errors: { field: string }[] }>(
        `/api/me/notifications?q=${encodeURIComponent(q)}`,
        { token: reader.token },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e) => e.field)).toEqual(["q"]);
    }
  });
});
