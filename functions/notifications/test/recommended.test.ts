// The fan-out's rules for recommended events, on a real MongoDB (a database of the test's own):
// at most RECOMMENDED_PER_DAY a person a UTC day, none to those who turned them off, one per
// event and person however often or in however many batches it comes.
import { randomBytes } from "node:crypto";
import type { CloudEventV1 } from "@stream-platform/shared";
import type { EventPublisher } from "@stream-platform/shared/kafka";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { Fanout, RECOMMENDED_PER_DAY } from "../src/fanout.ts";
import { SettingsStore } from "../src/settings-store.ts";
import { InboxStore } from "../src/store.ts";

const mongo = createMongoClient();
const db = mongo.db(`test_recommended_${randomBytes(4).toString("hex")}`);
const store = new InboxStore(db);
const settings = new SettingsStore(db);
const published: CloudEventV1[] = [];
const fanout = new Fanout(
  store,
  settings,
  { listSubscriberBatches: () => (async function* () {})() },
  {
    publish: async (events: CloudEventV1[]) => {
      published.push(...events);
    },
  } as unknown as EventPublisher,
  { queueFor: async () => 0 },
  async () => "Endgames",
);

afterAll(async () => {
  await db.dropDatabase();
  await mongo.close();
});

const recommended = (n: number, userIds: string[], time = "2030-03-01T12:00:00Z") => ({
  id: `ce-${n}`,
  time,
  data: {
    eventId: `evt_rec${String(n).padStart(12, "0")}`,
    channelId: "ch-1",
    title: `Rook endings ${n}`,
    startsAt: "2030-03-02T12:00:00Z",
    status: "scheduled" as const,
    version: 1,
    userIds,
  },
});

describe("recommended events in the inbox", () => {
  it("tells a person a few a day, none if they turned it off, each event once", async () => {
    await settings.set("declined", { recommendations: false });
    const people = ["keen", "declined"];
    const told = [];
    for (let n = 1; n <= RECOMMENDED_PER_DAY + 1; n++)
      told.push(await fanout.recommend(recommended(n, people)));
    expect(told).toEqual([1, 1, 1, 0]);
    const inbox = await store.inbox.find({ userId: "keen" }).toArray();
    expect(inbox.map((e) => e.kind)).toEqual(Array(RECOMMENDED_PER_DAY).fill("event.recommended"));
    expect(await store.inbox.countDocuments({ userId: "declined" })).toBe(0);
    expect(published.map((e) => e.type)).toEqual(
      Array(RECOMMENDED_PER_DAY).fill("streamplatform.notification.created"),
    );
    // The same event again (a redelivery, or another batch of it): nothing new.
    const before = await store.inbox.countDocuments({});
    await fanout.recommend({ ...recommended(1, ["keen"], "2030-03-02T08:00:00Z"), id: "ce-again" });
    expect(await store.inbox.countDocuments({})).toBe(before);
    // A new day: the next one is told.
    expect(await fanout.recommend(recommended(9, ["keen"], "2030-03-02T08:00:00Z"))).toBe(1);
  });
});
