// "Recommended for you" notifications (#26 item 3), through the real platform: a channel
// schedules an event; the recommendations function finds the people who watch its category and
// do not follow the channel, and the notifications function tells each, unless they turned it
// off. Its followers hear of it as followers (event.scheduled), never as a recommendation.
import { createMongoClient } from "@stream-platform/shared/mongodb";
import {
  api,
  endedEvent,
  newUser,
  type TestUser,
  uniqueSlug,
  until,
  watchAs,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Inbox {
  items: { kind: string; eventId: string; title: string; channelTitle?: string }[];
}

const mongo = createMongoClient();
const learnt = mongo.db(process.env.RECOMMENDATIONS_DB ?? "recommendations");
const tag = uniqueSlug("keen");
const category = `chess-${tag.slice(-6)}`;
let keen: TestUser;
let follower: TestUser;
let declined: TestUser;
let elsewhere: TestUser;
let creator: TestUser;
let channelId: string;

const inboxOf = async (person: TestUser) =>
  (await api<Inbox>("/api/me/notifications?limit=100", { token: person.token })).body.items;

/** Waits until what the recommendations function learnt of `person` is `seconds` or more. */
const learntOf = (person: TestUser, seconds: number) =>
  until(`${person.id}'s history learnt`, async () => {
    const views = await learnt.collection("views").find({ userId: person.id }).toArray();
    return views.reduce((sum, v) => sum + (v.seconds as number), 0) >= seconds ? true : undefined;
  });

afterAll(async () => {
  await mongo.close();
});

describe("recommended-for-you notifications", () => {
  beforeAll(async () => {
    let teacher: TestUser;
    [teacher, creator, keen, follower, declined, elsewhere] = (await Promise.all(
      ["keen-teacher", "keen-creator", "keen", "keen-follower", "keen-declined", "elsewhere"].map(
        (name) => newUser(name),
      ),
    )) as [TestUser, TestUser, TestUser, TestUser, TestUser, TestUser];
    const teacherChannel = await api<{ id: string }>("/api/channels", {
      token: teacher.token,
      body: { slug: uniqueSlug("keen-teacher"), title: "Openings" },
    });
    const lessons = [];
    for (const title of ["Sicilian", "French"])
      lessons.push(
        await endedEvent(teacher.token, {
          channelId: teacherChannel.body.id,
          title: `${title} ${tag}`,
          category,
        }),
      );
    const other = await endedEvent(teacher.token, {
      channelId: teacherChannel.body.id,
      title: `Knitting ${tag}`,
      category: `knitting-${tag.slice(-6)}`,
    });
    const channel = await api<{ id: string }>("/api/channels", {
      token: creator.token,
      body: { slug: uniqueSlug("keen-new"), title: "Endgames" },
    });
    channelId = channel.body.id;
    expect(
      (
        await api(`/api/subscriptions/channels/${channelId}`, {
          method: "PUT",
          token: follower.token,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await api("/api/me/notifications/settings", {
          method: "PUT",
          token: declined.token,
          body: { recommendations: false },
        })
      ).body,
    ).toEqual({ recommendations: false });
    // Each watched 140 s of the category (70 s a recording, one session each); one watched
    // another category as long.
    for (const person of [keen, follower, declined])
      for (const lesson of lessons) await watchAs(person.token, lesson, 70);
    await watchAs(elsewhere.token, other, 70);
    await watchAs(elsewhere.token, other, 70);
    for (const person of [keen, follower, declined]) await learntOf(person, 140);
    await learntOf(elsewhere, 70);
    await until("the follow learnt", async () =>
      (await learnt.collection("follows").countDocuments({ userId: follower.id, channelId })) > 0
        ? true
        : undefined,
    );
  }, 180_000);

  it("tells those who watch the category and do not follow the channel, unless they turned it off", async () => {
    const made = await api<{ id: string }>("/api/events", {
      token: creator.token,
      body: {
        channelId,
        title: `Rook endings ${tag}`,
        category,
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(made.status).toBe(201);
    const eventId = made.body.id;
    const told = await until(
      "the keen viewer told",
      async () => (await inboxOf(keen)).find((n) => n.eventId === eventId),
      60_000,
      250,
    );
    expect(told).toMatchObject({ kind: "event.recommended", channelTitle: "Endgames" });
    // The follower hears of it as a follower, and only so.
    const news = await until(
      "the follower told",
      async () => {
        const theirs = (await inboxOf(follower)).filter((n) => n.eventId === eventId);
        return theirs.length > 0 ? theirs : undefined;
      },
      60_000,
      250,
    );
    expect(news.map((n) => n.kind)).toEqual(["event.scheduled"]);
    // Decided in the same delivery as the keen viewer's: nothing came, nothing will.
    for (const person of [declined, elsewhere])
      expect((await inboxOf(person)).filter((n) => n.eventId === eventId)).toEqual([]);
    // The setting reads back, and is the person's own.
    const settings = await api("/api/me/notifications/settings", { token: declined.token });
    expect(settings.body).toEqual({ recommendations: false });
    expect((await api("/api/me/notifications/settings", { token: keen.token })).body).toEqual({
      recommendations: true,
    });
    const bad = await api<{ errors: { field: string }[] }>("/api/me/notifications/settings", {
      method: "PUT",
      token: keen.token,
      body: { recommendations: "yes" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(["recommendations"]);
  });
});
