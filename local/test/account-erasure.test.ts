// Deleting an account erases the person everywhere (issue #23, item 8): a creator with a channel,
// a scheduled event, chat messages, viewer figures and an inbox deletes their account; then
// every store is looked in directly — accounts (PostgreSQL), events (MongoDB), search
// (Elasticsearch), notifications' inbox, analytics' viewer records (MongoDB) and the creator's own
// viewing history (PostgreSQL, its beats in MongoDB), the events' list and chat (PostgreSQL) — and
// nothing of theirs is left but anonymous totals. A follower of the deleted event is told it was
// cancelled. And a subscription to an event that does not exist is 404.
import { randomBytes } from "node:crypto";
import { createEvent, serviceUrls, toHttpBatch } from "@stream-platform/shared";
import { createElasticsearch } from "@stream-platform/shared/elasticsearch";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { createPool } from "@stream-platform/shared/postgres";
import {
  api,
  ingressToken,
  newUser,
  type TestUser,
  uniqueSlug,
  until,
  viewTokenFor,
} from "@stream-platform/shared/testing";
import { afterAll, describe, expect, it } from "vitest";

const pool = createPool(undefined, 2);
const mongo = createMongoClient();
const es = createElasticsearch();
afterAll(async () => {
  await pool.end();
  await mongo.close();
  await es.close();
});

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function channelOf(owner: TestUser, title: string): Promise<string> {
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug("erase"), title },
  });
  expect(channel.status).toBe(201);
  return channel.body.id;
}

async function eventOn(owner: TestUser, channelId: string, title: string): Promise<string> {
  const event = await api<{ id: string }>("/api/events", {
    token: owner.token,
    body: { channelId, title, startsAt: inAnHour() },
  });
  expect(event.status).toBe(201);
  return event.body.id;
}

/**
 * Heartbeats (as browsers post them) from `viewers` viewers of `eventId`: anonymous, or of a
 * signed-in person (their view token names them), which makes their viewing history.
 */
async function watch(eventId: string, viewers: number, userId?: string): Promise<void> {
  const beats = Array.from({ length: viewers }, (_, n) => {
    const viewer = { eventId, viewerId: `v-erase-${n}`, sessionId: `s-erase-${userId ?? ""}${n}` };
    return createEvent({
      type: "streamplatform.viewer.heartbeat",
      source: "/test/erasure",
      subject: eventId,
      data: {
        ...viewer,
        viewToken: viewTokenFor({ ...viewer, ...(userId && { userId }) }),
        position: 0,
        bufferingSeconds: 0,
      },
    });
  });
  const { headers, body } = toHttpBatch(beats);
  const response = await fetch(`${serviceUrls().edgeUrl}/ce`, {
    method: "POST",
    headers: { ...headers, authorization: `Bearer ${ingressToken()}` },
    body,
  });
  expect(response.status).toBe(202);
}

describe("deleting an account", () => {
  it("erases the person from every store; a follower of their event is told it is cancelled", async () => {
    const [creator, follower, other] = await Promise.all([
      newUser("erased"),
      newUser("erase-follower"),
      newUser("erase-other"),
    ]);
    const channelId = await channelOf(creator, "Soon gone");
    const eventId = await eventOn(creator, channelId, `Erasure ${randomBytes(4).toString("hex")}`);
    // The creator follows someone else's channel, whose new event fills the creator's inbox.
    const otherChannel = await channelOf(other, "Stays");
    expect(
      (
        await api(`/api/subscriptions/channels/${otherChannel}`, {
          method: "PUT",
          token: creator.token,
        })
      ).status,
    ).toBe(201);
    const otherEvent = await eventOn(other, otherChannel, "Still on");
    // Someone follows the creator's event; the creator chats in their own room and in another.
    expect(
      (await api(`/api/subscriptions/events/${eventId}`, { method: "PUT", token: follower.token }))
        .status,
    ).toBe(201);
    for (const room of [eventId, otherEvent])
      expect(
        (
          await api(`/api/chat/events/${room}/messages`, {
            token: creator.token,
            body: { text: "hello" },
          })
        ).status,
      ).toBe(201);
    await watch(eventId, 3);
    // The creator watched someone else's event: their viewing history.
    await watch(otherEvent, 1, creator.id);

    // Everything is there before.
    const events = mongo.db("events").collection("events");
    const inbox = mongo.db("notifications").collection("inbox");
    const viewers = mongo.db("analytics").collection("viewers");
    const stats = mongo.db("analytics").collection<{ _id: string }>("stats");
    const historyOf = async (userId: string) =>
      (await pool.query("select 1 from analytics.history where user_id = $1", [userId])).rowCount ??
      0;
    const watches = mongo.db("analytics").collection("watches");
    const learnt = mongo.db("recommendations");
    const searchable = async (index: string, id: string) =>
      (await es.exists({ index, id })) ? true : undefined;
    await until("the creator's event in the search index", () => searchable("events", eventId));
    await until("the creator's channel in the search index", () =>
      searchable("channels", channelId),
    );
    await until("the creator's inbox entry", async () =>
      (await inbox.countDocuments({ userId: creator.id })) > 0 ? true : undefined,
    );
    await until("the viewers of the creator's event", async () =>
      (await viewers.countDocuments({ eventId })) === 3 ? true : undefined,
    );
    await until("the creator's viewing history", async () =>
      (await historyOf(creator.id)) > 0 ? true : undefined,
    );
    await until("the creator's history learnt by the recommendations", async () =>
      (await learnt.collection("views").countDocuments({ userId: creator.id })) > 0
        ? true
        : undefined,
    );
    const chatOf = async () =>
      Number(
        (
          await pool.query(
            "select count(*) from chat.messages where user_id = $1 or channel_id = $2",
            [creator.id, channelId],
          )
        ).rows[0].count,
      );
    expect(await chatOf()).toBe(2);

    const deleted = await api("/api/me", {
      method: "DELETE",
      token: creator.token,
      body: { password: creator.password },
    });
    expect(deleted.status).toBe(204);

    // Accounts: the user, their channel and subscriptions, at once.
    for (const [table, column] of [
      ["users", "id"],
      ["channels", "owner_id"],
      ["subscriptions", "user_id"],
      ["sessions", "user_id"],
    ])
      expect(
        (await pool.query(`select 1 from ${table} where ${column} = $1`, [creator.id])).rowCount,
      ).toBe(0);
    // The others, as each function's sink takes the user.deleted CloudEvent.
    await until("the creator's events gone from the events store", async () =>
      (await events.countDocuments({ ownerId: creator.id })) === 0 ? true : undefined,
    );
    // The events' list keeps a tombstone (the id and last version, so that a late snapshot
    // cannot bring the event back), nothing of what it showed.
    await until("the creator's event gone from the events' list", async () => {
      const { rows } = await pool.query<{ view: unknown }>(
        "select view from events.listing where id = $1",
        [eventId],
      );
      return rows.length === 1 && rows[0]?.view === null ? true : undefined;
    });
    await until("the event's search document gone", async () =>
      (await es.exists({ index: "events", id: eventId })) ? undefined : true,
    );
    await until("the channel's search document gone", async () =>
      (await es.exists({ index: "channels", id: channelId })) ? undefined : true,
    );
    await until("the creator's inbox gone", async () =>
      (await inbox.countDocuments({ userId: creator.id })) === 0 ? true : undefined,
    );
    await until("the viewer records of the creator's event gone", async () =>
      (await viewers.countDocuments({ eventId })) === 0 ? true : undefined,
    );
    await until("the creator's viewing history gone", async () =>
      (await historyOf(creator.id)) + (await watches.countDocuments({ u: creator.id })) === 0
        ? true
        : undefined,
    );
    await until(
      "what the recommendations learnt of the creator gone, their event never proposed",
      async () =>
        (await learnt.collection("views").countDocuments({ userId: creator.id })) === 0 &&
        (await learnt.collection("follows").countDocuments({ userId: creator.id })) === 0 &&
        (await learnt.collection("items").findOne({ _id: eventId as never }))?.status ===
          "cancelled"
          ? true
          : undefined,
    );
    await until("the creator's chat messages gone", async () =>
      (await chatOf()) === 0 ? true : undefined,
    );
    // Analytics keeps the totals, tied to nobody.
    const totals = await stats.findOne({ _id: eventId });
    expect(totals).toMatchObject({ channelId: "", ownerId: "" });
    // Nothing lists or finds it.
    expect((await api(`/api/events/${eventId}`)).status).toBe(404);
    const listed = await api<{ items: { id: string }[] }>(
      `/api/events?channelId=${channelId}&limit=100`,
    );
    expect(listed.body.items ?? []).toEqual([]);
    // The follower of the event was told it is cancelled.
    await until("the follower's cancellation notice", async () => {
      const mine = await api<{ items: { kind: string; eventId: string }[] }>(
        "/api/me/notifications",
        { token: follower.token },
      );
      return mine.body.items.find((n) => n.eventId === eventId && n.kind === "event.cancelled");
    });
    // The other person's event and channel are untouched.
    expect((await api(`/api/events/${otherEvent}`)).status).toBe(200);
    expect(await es.exists({ index: "channels", id: otherChannel })).toBe(true);
  });

  it("refuses a subscription to an event that does not exist (404)", async () => {
    const someone = await newUser("erase-sub");
    const answer = await api("/api/subscriptions/events/evt_doesnotexist", {
      method: "PUT",
      token: someone.token,
    });
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).toContain("application/problem+json");
  });
});
