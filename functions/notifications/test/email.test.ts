// Notification mail with the real servers: people choose which notifications also come by mail
// (off by default); the fan-out mails those who opted in through the real SMTP server (Mailpit,
// whose inbox API the tests read), once per notification however often its CloudEvent is
// delivered; the unsubscribe link works without signing in; the daily digest goes once a day.
import { randomUUID } from "node:crypto";
import { type CloudEventV1, createEvent, type EventData } from "@stream-platform/shared";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import {
  api,
  asPingSource,
  type EventWatch,
  linkIn,
  mailHeaders,
  mailSummaries,
  newUser,
  platformServiceAddress,
  postToIngress,
  type ReceivedMail,
  type TestUser,
  uniqueSlug,
  until,
  waitForMail,
  watchEvents,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const mongo = createMongoClient();
const outbox = mongo.db(process.env.NOTIFICATIONS_DB ?? "notifications").collection<{
  _id: string;
  userId: string;
  state: string;
  reason?: string;
}>("email_outbox");

interface Preferences {
  reminders: boolean;
  live: boolean;
  digest: boolean;
}

// Each names the channel ("Mailed channel", made below).
const LIVE = /^Mailed channel is live: /;
const SOON = /^Starting soon on Mailed channel: /;
const DIGEST = /^Your Stream Platform daily digest$/;

/** Confirms the address with the link accounts mailed at sign-up (mail goes to verified ones). */
async function verified(name: string): Promise<TestUser> {
  const user = await newUser(name);
  const mail = await waitForMail(user.email, /^Confirm your email address/);
  const token = new URLSearchParams(linkIn(mail, "/verify-email").hash.slice(1)).get("token");
  expect((await api("/api/email-verifications", { body: { token } })).status).toBe(204);
  return user;
}

const choose = (user: TestUser, preferences: Preferences) =>
  api<Preferences>("/api/me/notifications/email", {
    method: "PUT",
    token: user.token,
    body: preferences,
  });

const follow = async (user: TestUser, channelId: string) =>
  expect(
    (await api(`/api/subscriptions/channels/${channelId}`, { method: "PUT", token: user.token }))
      .status,
  ).toBe(201);

/**
 * The made-up video events news() told of: no events function holds them, yet search indexed
 * them from the CloudEvents, so they are cancelled when the file is done (left live, they would
 * be listed, as "More like this", with figures nobody keeps).
 */
const madeUp: EventData<"streamplatform.event.live">[] = [];

/** An event.* CloudEvent about one video event of the channel, as the events function sends. */
function news(
  type: "streamplatform.event.live" | "streamplatform.event.reminder",
  channelId: string,
  title: string,
): CloudEventV1 {
  const eventId = `evt_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const data: EventData<"streamplatform.event.live"> & { minutesBefore?: number } = {
    eventId,
    channelId,
    title,
    startsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
    status: type === "streamplatform.event.live" ? "live" : "scheduled",
    version: 1,
    ...(type === "streamplatform.event.reminder" && { minutesBefore: 5 }),
  };
  madeUp.push(data);
  return createEvent({ type, source: "/tests/notification-mail", subject: eventId, data });
}

const post = async (event: CloudEventV1) => expect(await postToIngress(event)).toBe(202);

/** How many mails to `user` have a subject like `subject`. */
const countMail = async (user: TestUser, subject: RegExp) =>
  (await mailSummaries(user.email)).filter((m) => subject.test(m.Subject)).length;

let owner: TestUser;
let channelId: string;
let watch: EventWatch;

beforeAll(async () => {
  owner = await newUser("mail-host");
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug(), title: "Mailed channel" },
  });
  channelId = channel.body.id;
  watch = await watchEvents(["notifications"]);
});

afterAll(async () => {
  await watch?.stop();
  await mongo.close();
  for (const { minutesBefore: _, ...data } of madeUp as ((typeof madeUp)[number] & {
    minutesBefore?: number;
  })[])
    expect(
      await postToIngress(
        createEvent({
          type: "streamplatform.event.cancelled",
          source: "/tests/notification-mail",
          subject: data.eventId,
          data: { ...data, status: "cancelled", version: data.version + 1 },
        }),
      ),
    ).toBe(202);
});

/** Waits until the fan-out told `user` of the news (its inbox entry and CloudEvent are written). */
const told = (user: TestUser, event: CloudEventV1, copies = 1) =>
  until(
    `${copies} notification.created for ${user.id} about ${event.subject}`,
    () =>
      watch.events.filter(
        (e) =>
          e.type === "streamplatform.notification.created" &&
          e.subject === user.id &&
          (e.data as { eventId: string }).eventId === event.subject,
      ).length >= copies || undefined,
    20_000,
    50,
  );

describe("email preferences", () => {
  it("are off by default, changed only by their owner, all named, a problem naming the field otherwise", async () => {
    const [ada, bo] = await Promise.all([newUser("prefs-a"), newUser("prefs-b")]);
    const none = { reminders: false, live: false, digest: false };
    const asked = await api<Preferences>("/api/me/notifications/email", { token: ada.token });
    expect(asked.status).toBe(200);
    expect(asked.body).toEqual(none);

    const bad = await api<{ errors: { field: string }[] }>("/api/me/notifications/email", {
      method: "PUT",
      token: ada.token,
      body: { reminders: "yes", live: true },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    expect(bad.body.errors.map((e) => e.field).sort()).toEqual(["digest", "reminders"]);

    const anonymous = await api("/api/me/notifications/email", {
      method: "PUT",
      body: { ...none, live: true },
    });
    expect(anonymous.status).toBe(401);

    const set = await choose(ada, { reminders: true, live: false, digest: true });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ reminders: true, live: false, digest: true });
    expect((await api("/api/me/notifications/email", { token: ada.token })).body).toEqual(set.body);
    // Nobody else's changed.
    expect((await api("/api/me/notifications/email", { token: bo.token })).body).toEqual(none);
  });
});

describe("notification mail", () => {
  it("mails 'live now' to those who opted in (text, HTML, unsubscribe link and header), once however often the CloudEvent comes; the link turns it off", async () => {
    const [fan, quiet, unproven] = await Promise.all([
      verified("mail-fan"),
      verified("mail-quiet"),
      newUser("mail-unproven"),
    ]);
    for (const user of [fan, quiet, unproven]) await follow(user, channelId);
    expect((await choose(fan, { reminders: true, live: true, digest: false })).status).toBe(200);
    expect((await choose(unproven, { reminders: true, live: true, digest: false })).status).toBe(
      200,
    );

    const live = news("streamplatform.event.live", channelId, "Mailed <launch> & more");
    await post(live);
    const mail: ReceivedMail = await waitForMail(fan.email, LIVE);
    expect(mail.subject).toBe("Mailed channel is live: Mailed <launch> & more");
    expect(mail.text).toContain('"Mailed <launch> & more" is live now on Mailed channel.');
    expect(mail.text).toContain(`/watch/${live.subject}`);
    // The title is escaped in the HTML part, never markup.
    expect(mail.html).toContain("Mailed &lt;launch&gt; &amp; more");
    expect(mail.html).not.toContain("<launch>");
    const unsubscribe = linkIn(mail, "/api/notifications/unsubscribe");
    expect(unsubscribe.searchParams.get("token")).toMatch(/^[\w-]+\.[\w-]{43}$/);
    expect(mail.html).toContain(unsubscribe.href.replace(/&/g, "&amp;"));
    const headers = await mailHeaders(mail.id);
    expect(headers["List-Unsubscribe"]).toEqual([`<${unsubscribe.href}>`]);
    expect(headers["List-Unsubscribe-Post"]).toEqual(["List-Unsubscribe=One-Click"]);

    // The same CloudEvent again (a redelivery): the inbox and the outbox refuse the copy.
    await post(live);
    await told(fan, live, 2);
    // Nothing for whoever did not opt in; nothing to an address its owner never confirmed.
    expect(await countMail(quiet, LIVE)).toBe(0);
    expect(await outbox.countDocuments({ userId: quiet.id })).toBe(0);
    const held = await until(
      "the unconfirmed address's mail settled",
      async () => {
        const doc = await outbox.findOne({ userId: unproven.id });
        return doc?.state === "pending" ? undefined : (doc ?? undefined);
      },
      20_000,
      100,
    );
    expect(held).toMatchObject({ state: "skipped", reason: "address not verified" });
    expect(await countMail(unproven, LIVE)).toBe(0);

    // A reminder, mailed after the copy was handled: still one "live now" mail.
    const soon = news("streamplatform.event.reminder", channelId, "Encore");
    await post(soon);
    const reminder = await waitForMail(fan.email, SOON);
    expect(reminder.subject).toBe("Starting soon on Mailed channel: Encore");
    expect(reminder.text).toContain('"Encore" starts soon on Mailed channel.');
    expect(await countMail(fan, LIVE)).toBe(1);

    // Opening the link shows what it does and changes nothing (mail scanners open links) …
    const page = await fetch(unsubscribe);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<form method="post"');
    expect(
      (await api<Preferences>("/api/me/notifications/email", { token: fan.token })).body,
    ).toMatchObject({ live: true });
    // … a tampered token is refused, naming the field …
    const forged = new URL(unsubscribe);
    forged.searchParams.set("token", `${unsubscribe.searchParams.get("token")?.slice(0, -2)}AA`);
    const refused = await fetch(forged, { method: "POST" });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe(
      "token",
    );
    // … and the one-click POST (RFC 8058), signed in or not, turns "live now" mail off, only it.
    const clicked = await fetch(unsubscribe, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(clicked.status).toBe(200);
    expect(
      (await api<Preferences>("/api/me/notifications/email", { token: fan.token })).body,
    ).toEqual({ reminders: true, live: false, digest: false });

    // The next "live now" reaches the inbox, not the mailbox; a later reminder still does.
    const again = news("streamplatform.event.live", channelId, "Second launch");
    await post(again);
    await told(fan, again);
    const later = news("streamplatform.event.reminder", channelId, "Third time");
    await post(later);
    expect((await waitForMail(fan.email, SOON, 2)).subject).toBe(
      "Starting soon on Mailed channel: Third time",
    );
    expect(await countMail(fan, LIVE)).toBe(1);
  });

  it("mails one person at most 6 an hour (NOTIFICATION_EMAILS_PER_HOUR); the rest stay in the inbox", async () => {
    const busy = await verified("mail-busy");
    await follow(busy, channelId);
    expect((await choose(busy, { reminders: false, live: true, digest: false })).status).toBe(200);
    const burst = Array.from({ length: 7 }, (_, i) =>
      news("streamplatform.event.live", channelId, `Burst ${i + 1}`),
    );
    for (const event of burst) await post(event);
    const settled = await until(
      "the seven mails settled",
      async () => {
        const docs = await outbox.find({ userId: busy.id }).toArray();
        return docs.length === 7 && docs.every((d) => d.state !== "pending") ? docs : undefined;
      },
      30_000,
      100,
    );
    expect(settled.filter((d) => d.state === "sent")).toHaveLength(6);
    expect(settled.filter((d) => d.state === "skipped")).toEqual([
      expect.objectContaining({ reason: "rate-limited" }),
    ]);
    await waitForMail(busy.email, LIVE, 6);
    expect(await countMail(busy, LIVE)).toBe(6);
    // All seven are in the inbox.
    const inbox = await api<{ items: unknown[] }>("/api/me/notifications?limit=20", {
      token: busy.token,
    });
    expect(inbox.body.items).toHaveLength(7);
  });

  it("sends the daily digest to those who asked for it, once a day however often the job runs", async () => {
    const reader = await verified("mail-digest");
    await follow(reader, channelId);
    expect((await choose(reader, { reminders: false, live: false, digest: true })).status).toBe(
      200,
    );
    const live = news("streamplatform.event.live", channelId, "Digested launch");
    await post(live);
    await told(reader, live);
    // No mail of its own: the reader asked for the digest only.
    expect(await outbox.countDocuments({ userId: reader.id })).toBe(0);

    const job = `http://${await platformServiceAddress("notifications-digest")}/`;
    const run = () => fetch(job, { method: "POST", headers: asPingSource(), body: "{}" });
    const runs = await Promise.all([run(), run()]);
    for (const answer of runs) expect(answer.status).toBe(200);
    const digest = await waitForMail(reader.email, DIGEST);
    expect(digest.text).toContain("Mailed channel is live: Digested launch");
    expect(digest.html).toContain("Mailed channel is live: Digested launch");
    const unsubscribe = linkIn(digest, "/api/notifications/unsubscribe");
    expect((await mailHeaders(digest.id))["List-Unsubscribe"]).toEqual([`<${unsubscribe.href}>`]);

    // A third run, answered once its mail is handled: still one digest today.
    expect((await run()).status).toBe(200);
    expect(await countMail(reader, DIGEST)).toBe(1);
  });
});
