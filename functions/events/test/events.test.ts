// The events function through the edge and Kafka, against the real MongoDB protocol server.
import { randomUUID } from "node:crypto";
import {
  type CloudEventV1,
  GrpcStatus,
  internalAuthorization,
  isGrpcStatus,
  toHttpBinary,
} from "@stream-platform/shared";
import { EventsClient } from "@stream-platform/shared/grpc";
import { createMongoClient, outboxFields } from "@stream-platform/shared/mongodb";
import {
  api,
  asPingSource,
  type EventWatch,
  newUser,
  platformServiceAddress,
  postToIngress,
  storeScheduledEvent,
  type TestUser,
  uniqueSlug,
  until,
  watchEvents,
} from "@stream-platform/shared/testing";
import type { Collection, Document } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface VideoEvent {
  id: string;
  channelId: string;
  title: string;
  status: string;
  startsAt: string;
  version: number;
  vodPath?: string;
}

let owner: TestUser;
let other: TestUser;
let watch: EventWatch;

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

async function newChannel(user = owner): Promise<string> {
  const channel = await api<{ id: string }>("/api/channels", {
    token: user.token,
    body: { slug: uniqueSlug(), title: "Events test" },
  });
  return channel.body.id;
}

async function schedule(
  channelId: string,
  body: Record<string, unknown> = {},
): Promise<VideoEvent> {
  const created = await api<VideoEvent>("/api/events", {
    token: owner.token,
    body: {
      channelId,
      title: "Rocket launch",
      startsAt: inMinutes(60),
      tags: ["space"],
      category: "science",
      ...body,
    },
  });
  expect(created.status).toBe(201);
  return created.body;
}

async function postToCe(event: CloudEventV1): Promise<void> {
  expect(await postToIngress(event)).toBe(202);
}

function streamEvent(
  type: "streamplatform.stream.started" | "streamplatform.stream.ended",
  channelId: string,
  data: Record<string, unknown> = {},
): CloudEventV1 {
  const at = new Date().toISOString();
  return {
    specversion: "1.0",
    id: randomUUID(),
    source: "/stream-server",
    type,
    subject: channelId,
    datacontenttype: "application/json",
    data: {
      streamId: `str_${randomUUID().slice(0, 8)}`,
      channelId,
      ...(type.endsWith("started") ? { startedAt: at } : { endedAt: at }),
      ...data,
    },
    extensions: {},
  };
}

/** Polls every 100 ms for up to 15 s (FerretDB and the relay take their time). */
const eventually = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000) =>
  until(what, check, timeoutMs, 100);

/**
 * The stored document once the outbox relay is done with it (and `also` holds). A test must wait
 * for this before it writes the document itself: FerretDB rewrites a whole document on an
 * update, so the relay's write racing the test's can undo it (two rehearsals failed so).
 */
const relayed = (
  events: Collection<Document>,
  id: string,
  also: (doc: Document) => boolean = () => true,
) =>
  eventually(`${id}'s outbox relayed`, async () => {
    const doc = await events.findOne({ _id: id as never });
    return doc?.outboxPending === false && also(doc) ? doc : undefined;
  });

const statusOf = async (id: string, status: string) =>
  eventually(`event ${id} to be ${status}`, async () => {
    const current = await api<VideoEvent>(`/api/events/${id}`);
    return current.body.status === status ? current.body : undefined;
  });

beforeAll(async () => {
  [owner, other] = await Promise.all([newUser("events-owner"), newUser("events-other")]);
  watch = await watchEvents(["events"]);
});

afterAll(async () => {
  await watch.stop();
});

describe("scheduling", () => {
  it("creates, lists, gets, updates and cancels, emitting a CloudEvent for each change", async () => {
    const channelId = await newChannel();
    const event = await schedule(channelId);
    expect(event).toMatchObject({
      channelId,
      title: "Rocket launch",
      status: "scheduled",
      version: 1,
    });
    const listed = await api<{ items: VideoEvent[] }>(`/api/events?channelId=${channelId}`);
    expect(listed.body.items.map((e) => e.id)).toEqual([event.id]);
    const updated = await api<VideoEvent>(`/api/events/${event.id}`, {
      method: "PATCH",
      token: owner.token,
      body: { title: "Rocket launch, delayed" },
    });
    expect(updated.body).toMatchObject({ title: "Rocket launch, delayed", version: 2 });
    const cancelled = await api<VideoEvent>(`/api/events/${event.id}`, {
      method: "DELETE",
      token: owner.token,
    });
    expect(cancelled.body).toMatchObject({ status: "cancelled", version: 3 });
    await watch.waitFor(
      (e) => e.subject === event.id && e.type === "streamplatform.event.cancelled",
    );
    const emitted = watch.events.filter((e) => e.subject === event.id);
    expect(emitted.map((e) => [e.type, (e.data as VideoEvent).version])).toEqual([
      ["streamplatform.event.created", 1],
      ["streamplatform.event.updated", 2],
      ["streamplatform.event.cancelled", 3],
    ]);
  });

  it("lets only the channel's owner schedule and change (403), and asks who is asking (401)", async () => {
    const channelId = await newChannel();
    const event = await schedule(channelId);
    const foreign = await api("/api/events", {
      token: other.token,
      body: { channelId, title: "Mine now", startsAt: inMinutes(30) },
    });
    expect(foreign.status).toBe(403);
    expect(
      (
        await api(`/api/events/${event.id}`, {
          method: "PATCH",
          token: other.token,
          body: { title: "x" },
        })
      ).status,
    ).toBe(403);
    expect(
      (await api(`/api/events/${event.id}`, { method: "DELETE", token: other.token })).status,
    ).toBe(403);
    expect((await api(`/api/events/${event.id}`, { method: "DELETE" })).status).toBe(401);
    expect((await api<VideoEvent>(`/api/events/${event.id}`)).body.status).toBe("scheduled");
  });

  it.each([
    [{ startsAt: "tomorrow" }, "startsAt"],
    [{ startsAt: "2030-02-30T10:00:00Z" }, "startsAt"],
    [{ startsAt: inMinutes(60), endsAt: inMinutes(30) }, "endsAt"],
    [{ title: "x".repeat(201) }, "title"],
    [{ description: "x".repeat(5001) }, "description"],
    [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "tags"],
    [{ channelId: "nope" }, "channelId"],
    [{ surprise: true }, ""],
  ])("refuses an invalid event with 400 naming the field (%o)", async (fields, field) => {
    const channelId = await newChannel();
    const response = await api<{ errors: { field: string }[] }>("/api/events", {
      token: owner.token,
      body: { channelId, title: "Fine", startsAt: inMinutes(60), ...fields },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    if (field) expect(response.body.errors.map((e) => e.field)).toContain(field);
  });

  it("allows only the status transitions of the lifecycle", async () => {
    const event = await schedule(await newChannel());
    const toEnded = await api<{ errors: { field: string }[] }>(`/api/events/${event.id}`, {
      method: "PATCH",
      token: owner.token,
      body: { status: "ended" },
    });
    expect(toEnded.status).toBe(400);
    expect(toEnded.body.errors[0]?.field).toBe("status");
    const unknown = await api(`/api/events/${event.id}`, {
      method: "PATCH",
      token: owner.token,
      body: { status: "paused" },
    });
    expect(unknown.status).toBe(400);
    expect(
      (
        await api(`/api/events/${event.id}`, {
          method: "PATCH",
          token: owner.token,
          body: { status: "live" },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api(`/api/events/${event.id}`, {
          method: "PATCH",
          token: owner.token,
          body: { status: "ended" },
        })
      ).status,
    ).toBe(200);
    const revived = await api(`/api/events/${event.id}`, {
      method: "PATCH",
      token: owner.token,
      body: { status: "live" },
    });
    expect(revived.status).toBe(400);
  });
});

describe("start times (#24 item 6)", () => {
  type Problem = { detail: string; errors: { field: string; detail: string }[] };
  const patch = (id: string, body: Record<string, unknown>) =>
    api<VideoEvent & Problem>(`/api/events/${id}`, { method: "PATCH", token: owner.token, body });
  const expectPastRefused = (response: { status: number; headers: Headers; body: Problem }) => {
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body.errors).toEqual([
      {
        field: "startsAt",
        detail: "is in the past: an event can only be scheduled for a time that has not passed yet",
      },
    ]);
    expect(response.body.detail).toMatch(/^startsAt: is in the past/);
  };

  it("refuses to schedule an event in the past (400 naming startsAt), creating nothing", async () => {
    const channelId = await newChannel();
    for (const startsAt of ["2020-01-01T00:00:00Z", inMinutes(-5)]) {
      const response = await api<Problem>("/api/events", {
        token: owner.token,
        body: { channelId, title: "Yesterday's news", startsAt },
      });
      expectPastRefused(response);
    }
    // Half a minute ago is clock skew between the owner's device and the server: accepted.
    await schedule(channelId, { startsAt: inMinutes(-0.5) });
    const listed = await api<{ items: VideoEvent[] }>(`/api/events?channelId=${channelId}`);
    expect(listed.body.items.map((e) => e.title)).toEqual(["Rocket launch"]);
  });

  it("refuses to move an event into the past, changing nothing", async () => {
    const event = await schedule(await newChannel());
    expectPastRefused(await patch(event.id, { startsAt: inMinutes(-60), title: "Moved back" }));
    const after = await api<VideoEvent>(`/api/events/${event.id}`);
    expect(after.body).toMatchObject({
      title: event.title,
      startsAt: event.startsAt,
      version: event.version,
    });
  });

  it("lets an event whose time passed without a stream be edited as it is, and moved to the future", async () => {
    const channelId = await newChannel();
    // The API refuses to make such an event: it is written into the store as it would be after
    // its time passed.
    const startsAt = new Date(Date.now() - 3 * 3_600_000);
    const id = await storeScheduledEvent({
      channelId,
      ownerId: owner.id,
      title: "Missed launch",
      startsAt,
    });
    // The form sends every field: the unchanged start time is not a move into the past.
    const renamed = await patch(id, {
      title: "Missed launch, renamed",
      startsAt: startsAt.toISOString(),
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ startsAt: startsAt.toISOString(), status: "scheduled" });
    expectPastRefused(
      await patch(id, { startsAt: new Date(startsAt.getTime() + 60_000).toISOString() }),
    );
    const later = inMinutes(90);
    const moved = await patch(id, { startsAt: later });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ startsAt: later, status: "scheduled", version: 3 });
  });

  it("refuses to move a live event's start (it has started), accepting it sent unchanged", async () => {
    const channelId = await newChannel();
    const event = await schedule(channelId, { startsAt: inMinutes(5) });
    await postToCe(streamEvent("streamplatform.stream.started", channelId, { eventId: event.id }));
    await statusOf(event.id, "live");
    const moved = await patch(event.id, { startsAt: inMinutes(60) });
    expect(moved.status).toBe(400);
    expect(moved.body.errors.map((e) => e.field)).toEqual(["startsAt"]);
    expect(moved.body.errors[0]?.detail).toMatch(/live/);
    const same = await patch(event.id, { startsAt: event.startsAt, title: "Launch, live" });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ startsAt: event.startsAt, status: "live" });
  });
});

describe("pagination", () => {
  it("returns every event exactly once while events are being inserted", async () => {
    const channelId = await newChannel();
    const base = Date.now() + 24 * 3600_000;
    const initial: string[] = [];
    for (let i = 0; i < 25; i++) {
      initial.push(
        (await schedule(channelId, { startsAt: new Date(base + (i % 5) * 60_000).toISOString() }))
          .id,
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let inserted = 0;
    do {
      const page = await api<{ items: VideoEvent[]; nextCursor?: string }>(
        `/api/events?channelId=${channelId}&limit=4${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
      // Someone schedules more, some before and some after the page we are at.
      await schedule(channelId, {
        startsAt: new Date(base + (inserted++ % 7) * 60_000).toISOString(),
      });
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of initial) expect(seen).toContain(id);
  });

  it("pages latest first with order=desc, each event once", async () => {
    const channelId = await newChannel();
    const base = Date.now() + 24 * 3600_000;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push(
        (await schedule(channelId, { startsAt: new Date(base + (i % 3) * 60_000).toISOString() }))
          .id,
      );
    const seen: VideoEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await api<{ items: VideoEvent[]; nextCursor?: string }>(
        `/api/events?channelId=${channelId}&order=desc&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.map((e) => e.id).sort()).toEqual([...ids].sort());
    const starts = seen.map((e) => Date.parse(e.startsAt));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect((await api(`/api/events?order=sideways`)).status).toBe(400);
  });

  it("refuses a forged cursor and a limit out of range with 400", async () => {
    expect((await api("/api/events?cursor=not-a-cursor")).status).toBe(400);
    expect((await api("/api/events?limit=0")).status).toBe(400);
    expect((await api("/api/events?limit=101")).status).toBe(400);
  });
});

describe("lifecycle from the stream", () => {
  it("turns stream.started posted to /ce into live, emitting event.live once even when delivered twice", async () => {
    const channelId = await newChannel();
    const event = await schedule(channelId, { startsAt: inMinutes(5) });
    const started = streamEvent("streamplatform.stream.started", channelId);
    await postToCe(started);
    await postToCe(started);
    await statusOf(event.id, "live");
    const ended = streamEvent("streamplatform.stream.ended", channelId, { eventId: event.id });
    await postToCe(ended);
    await statusOf(event.id, "ended");
    await watch.waitFor((e) => e.subject === event.id && e.type === "streamplatform.event.ended");
    const types = watch.events.filter((e) => e.subject === event.id).map((e) => e.type);
    expect(types.filter((t) => t === "streamplatform.event.live")).toHaveLength(1);
  });

  it("creates an ad-hoc live event for a stream on a channel with nothing scheduled, once", async () => {
    const channelId = await newChannel();
    const started = streamEvent("streamplatform.stream.started", channelId);
    await postToCe(started);
    await postToCe(started);
    const live = await eventually("an ad-hoc event", async () => {
      const listed = await api<{ items: VideoEvent[] }>(
        `/api/events?channelId=${channelId}&status=live`,
      );
      return listed.body.items.length > 0 ? listed.body.items : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const all = await api<{ items: VideoEvent[] }>(`/api/events?channelId=${channelId}`);
    expect(all.body.items).toHaveLength(1);
    expect(live[0]).toMatchObject({ channelId, status: "live" });
  });

  it("refuses with 422 (dead letter, no retries) a stream on a channel that does not exist", async () => {
    const address = await platformServiceAddress("events-lifecycle");
    const { headers, body } = toHttpBinary(
      streamEvent("streamplatform.stream.started", randomUUID()),
    );
    // As the eventing data plane posts: with the platform-internal token.
    const response = await fetch(`http://${address}/`, {
      method: "POST",
      headers: { ...headers, ...internalAuthorization() },
      body,
    });
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(((await response.json()) as { detail: string }).detail).toMatch(/no channel/);
  });

  it("records the VOD path from recording.ready", async () => {
    const channelId = await newChannel();
    const event = await schedule(channelId, { startsAt: inMinutes(1) });
    await postToCe(streamEvent("streamplatform.stream.started", channelId, { eventId: event.id }));
    await statusOf(event.id, "live");
    await postToCe({
      ...streamEvent("streamplatform.stream.ended", channelId),
      type: "streamplatform.recording.ready",
      data: {
        streamId: "str_rec",
        channelId,
        eventId: event.id,
        vodPath: `/hls/${event.id}/master.m3u8`,
        durationSeconds: 20,
      },
    });
    const ended = await statusOf(event.id, "ended");
    expect(ended.vodPath).toBe(`/hls/${event.id}/master.m3u8`);
  });

  it("answers GetCurrentEvent over gRPC, NOT_FOUND for a quiet channel", async () => {
    const client = new EventsClient(await platformServiceAddress("events-grpc"));
    const channelId = await newChannel();
    const event = await schedule(channelId, { startsAt: inMinutes(10) });
    expect(await client.getCurrentEvent(channelId)).toMatchObject({
      id: event.id,
      status: "scheduled",
    });
    const quiet = await client.getCurrentEvent(await newChannel()).catch((error: unknown) => error);
    expect(isGrpcStatus(quiet, GrpcStatus.NOT_FOUND)).toBe(true);
    client.close();
  });

  it("lists an event as stored when its CloudEvent is from an instance that predates whole-view snapshots", async () => {
    const channelId = await newChannel();
    const event = await schedule(channelId);
    // The store as an older instance leaves it after an edit, and the snapshot it publishes:
    // without the owner and the times.
    const mongo = createMongoClient();
    try {
      const events = mongo.db("events").collection("events");
      await relayed(events, event.id);
      await events.updateOne(
        { _id: event.id as never },
        { $set: { title: "Renamed by an old one", version: 2 } },
      );
    } finally {
      await mongo.close();
    }
    const old = {
      eventId: event.id,
      channelId,
      title: "Renamed by an old one",
      startsAt: event.startsAt,
      status: "scheduled",
      version: 2,
    };
    const { headers, body } = toHttpBinary({
      specversion: "1.0",
      id: randomUUID(),
      source: "/functions/events",
      type: "streamplatform.event.updated",
      subject: event.id,
      datacontenttype: "application/json",
      data: old,
      extensions: {},
    });
    const sink = await platformServiceAddress("events-listing");
    const answer = await fetch(`http://${sink}/`, {
      method: "POST",
      headers: { ...headers, ...internalAuthorization() },
      body,
    });
    expect(answer.status).toBe(204);
    const listed = await api<{ items: VideoEvent[] }>(`/api/events?channelId=${channelId}`);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: event.id, title: "Renamed by an old one", version: 2 }),
    ]);
  });

  it("answers GetEvent and GetEvents over gRPC from the list, and the store for one it lacks", async () => {
    const client = new EventsClient(await platformServiceAddress("events-grpc"));
    const channelId = await newChannel();
    const [a, b] = await Promise.all([schedule(channelId), schedule(channelId)]);
    // Written into the store only (as after a crash before the list heard of it).
    const storedOnly = await storeScheduledEvent({
      channelId,
      ownerId: owner.id,
      title: "Stored only",
      startsAt: new Date(Date.now() + 3_600_000),
    });
    expect(await client.getEvent(storedOnly)).toMatchObject({
      id: storedOnly,
      title: "Stored only",
    });
    const found = await client.getEvents([a?.id ?? "", b?.id ?? "", storedOnly, "evt_nosuchevent"]);
    expect(found.map((e) => e.id).sort()).toEqual([a?.id, b?.id, storedOnly].sort());
    expect(found.find((e) => e.id === a?.id)).toMatchObject({ channelId, ownerId: owner.id });
    const tooMany = await client
      .getEvents(Array.from({ length: 101 }, (_, i) => `evt_${i}`))
      .catch((error: unknown) => error);
    expect(isGrpcStatus(tooMany, GrpcStatus.INVALID_ARGUMENT)).toBe(true);
    client.close();
  });
});

describe("a live event whose stream went unheard (stream-server gone without stream.ended)", () => {
  const mongo = createMongoClient();
  const stored = () => mongo.db("events").collection("events");
  afterAll(() => mongo.close());

  /** When the store says the event's stream was last heard of. */
  const lastAliveAt = async (id: string) =>
    (await stored().findOne({ _id: id as never }))?.lastAliveAt as Date | undefined;
  /** As if `minutes` had passed since its stream was last heard of (not waiting for it). */
  const heardAgo = (id: string, minutes: number) =>
    stored().updateOne(
      { _id: id as never },
      { $set: { lastAliveAt: new Date(Date.now() - minutes * 60_000) } },
    );
  const alive = (channelId: string, eventId: string): CloudEventV1 => ({
    ...streamEvent("streamplatform.stream.started", channelId),
    type: "streamplatform.stream.alive",
    data: { streamId: "str_alive", channelId, eventId, at: new Date().toISOString() },
  });
  /** What the PingSource does every minute. */
  const tick = async () => {
    const reminders = `http://${await platformServiceAddress("events-reminders")}/`;
    const response = await fetch(reminders, {
      method: "POST",
      headers: asPingSource(),
      body: "{}",
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { sent: number; lost: number };
  };

  it("is ended by the minute's tick once, as a stream.ended would; one still heard of stays live", async () => {
    const [lostChannel, onChannel] = await Promise.all([newChannel(), newChannel()]);
    const lost = await schedule(lostChannel, { startsAt: inMinutes(5) });
    const on = await schedule(onChannel, { startsAt: inMinutes(5) });
    await postToCe(streamEvent("streamplatform.stream.started", lostChannel, { eventId: lost.id }));
    await postToCe(streamEvent("streamplatform.stream.started", onChannel, { eventId: on.id }));
    // stream.started is the first sign of life. Its event.live leaves through the document's
    // outbox, which the relay must be done with before the test writes "3 minutes ago".
    for (const id of [lost.id, on.id]) {
      await statusOf(id, "live");
      await relayed(stored(), id, (doc) => doc.lastAliveAt !== undefined);
    }
    // One last heard of 3 minutes ago, the other 1.5 (not 3: the minute's own tick could take
    // it for lost before its stream.alive is in); then that one's stream-server says it is on.
    await Promise.all([heardAgo(lost.id, 3), heardAgo(on.id, 1.5)]);
    await eventually("the store saying so", async () => {
      const at = await lastAliveAt(lost.id);
      return at && at.getTime() < Date.now() - 2.5 * 60_000 ? at : undefined;
    });
    await postToCe(alive(onChannel, on.id));
    await eventually("the stream.alive applied", async () => {
      const at = await lastAliveAt(on.id);
      return at && at.getTime() > Date.now() - 60_000 ? at : undefined;
    });

    const run = await tick();
    expect(run).toMatchObject({ sent: expect.any(Number), lost: expect.any(Number) });
    const ended = await statusOf(lost.id, "ended");
    const announced = await watch.waitFor(
      (e) => e.subject === lost.id && e.type === "streamplatform.event.ended",
    );
    expect(announced.data).toMatchObject({
      status: "ended",
      reason: "lost",
      version: ended.version,
    });
    // Ended when it was last heard of.
    expect(Date.parse((announced.data as { endsAt: string }).endsAt)).toBeLessThan(
      Date.now() - 2 * 60_000,
    );
    expect((await api<VideoEvent>(`/api/events/${on.id}`)).body.status).toBe("live");

    // Ticks again (two at once): nothing more changes, so nothing more is announced (a change
    // and its CloudEvent are one write).
    await Promise.all([tick(), tick()]);
    expect((await api<VideoEvent>(`/api/events/${lost.id}`)).body.version).toBe(ended.version);
    expect((await api<VideoEvent>(`/api/events/${on.id}`)).body).toMatchObject({
      status: "live",
      version: on.version + 1,
    });
    expect(
      watch.events.filter((e) => e.subject === lost.id && e.type === "streamplatform.event.ended"),
    ).toHaveLength(1);

    await postToCe(streamEvent("streamplatform.stream.ended", onChannel, { eventId: on.id }));
    await statusOf(on.id, "ended");
  });
});

describe("reminders", () => {
  it("emits event.reminder once per event, however often the job runs", async () => {
    const channelId = await newChannel();
    const soon = await schedule(channelId, { startsAt: inMinutes(10) });
    const later = await schedule(channelId, { startsAt: inMinutes(120) });
    const reminders = `http://${await platformServiceAddress("events-reminders")}/`;
    const runs = await Promise.all(
      [1, 2, 3].map(() =>
        fetch(reminders, {
          method: "POST",
          headers: asPingSource(),
          body: "{}",
        }),
      ),
    );
    for (const run of runs) expect(run.status).toBe(200);
    await watch.waitFor((e) => e.subject === soon.id && e.type === "streamplatform.event.reminder");
    await fetch(reminders, {
      method: "POST",
      headers: asPingSource(),
      body: "{}",
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sent = watch.events.filter((e) => e.type === "streamplatform.event.reminder");
    expect(sent.filter((e) => e.subject === soon.id)).toHaveLength(1);
    expect(sent.filter((e) => e.subject === later.id)).toHaveLength(0);
    expect(sent.find((e) => e.subject === soon.id)?.data).toMatchObject({
      eventId: soon.id,
      minutesBefore: 15,
    });
  });
});

describe("outbox", () => {
  it("publishes an event a crash left in a document's outbox", async () => {
    const mongo = createMongoClient();
    const id = `evt_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
    const stranded: CloudEventV1 = {
      specversion: "1.0",
      id: randomUUID(),
      source: "/functions/events",
      type: "streamplatform.event.updated",
      subject: id,
      datacontenttype: "application/json",
      data: {
        eventId: id,
        channelId: randomUUID(),
        title: "Stranded",
        startsAt: inMinutes(30),
        status: "scheduled",
        version: 2,
      },
      extensions: {},
    };
    // What a process that died right after its write leaves behind.
    await mongo
      .db("events")
      .collection("events")
      .insertOne({
        _id: id as never,
        channelId: "x",
        status: "scheduled",
        startsAt: new Date(),
        ...outboxFields([stranded]),
      });
    // The recovery sweep runs every 10 s.
    await watch.waitFor((e) => e.id === stranded.id, 25_000);
    await eventually("the outbox to empty", async () => {
      const doc = await mongo
        .db("events")
        .collection("events")
        .findOne({ _id: id as never });
      return doc?.outboxPending === false && Object.keys(doc.outbox ?? {}).length === 0
        ? true
        : undefined;
    });
    await mongo
      .db("events")
      .collection("events")
      .deleteOne({ _id: id as never });
    await mongo.close();
  });
});
