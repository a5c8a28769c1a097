// The aggregator against the real MongoDB-protocol server, crashing on purpose: a batch cut off
// after its beats were stored (before the figures were updated, or after) counts exactly once
// once the next start has recovered and Kafka has redelivered it (it was never acknowledged).
import { randomBytes } from "node:crypto";
import { createEvent, type PlatformEvent } from "@stream-platform/shared";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { platformSecret, viewTokenFor } from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Aggregator } from "../src/aggregator.ts";
import { AnalyticsStore } from "../src/store.ts";

// The aggregator checks view tokens with the platform's secret, as the function does.
process.env.JWT_SECRET ??= platformSecret("jwt-secret");
const mongo = createMongoClient();
const db = mongo.db(`analytics_test_${randomBytes(4).toString("hex")}`);
const directory = { lookup: async () => ({ channelId: "channel-1", ownerId: "owner-1" }) };

class Crash extends Error {}

/** A store that dies at one step, once. */
function crashingAt(step: "applyBatch" | "endBatch"): AnalyticsStore {
  const store = new AnalyticsStore(db);
  store[step] = async () => {
    throw new Crash(`crashed at ${step}`);
  };
  return store;
}

function beats(
  eventId: string,
  viewers: number,
): PlatformEvent<"streamplatform.viewer.heartbeat">[] {
  return Array.from({ length: viewers }, (_, n) =>
    createEvent({
      id: `hb_${eventId}_${n}`,
      type: "streamplatform.viewer.heartbeat",
      source: "/test",
      subject: eventId,
      data: {
        eventId,
        viewerId: `viewer-${n}`,
        sessionId: `session-${n}`,
        viewToken: viewTokenFor({ eventId, viewerId: `viewer-${n}`, sessionId: `session-${n}` }),
        position: 0,
        bufferingSeconds: 1,
        playedSeconds: 10,
      },
    }),
  );
}

const store = new AnalyticsStore(db);

beforeAll(() => store.ensureIndexes());
afterAll(async () => {
  await db.dropDatabase();
  await mongo.close();
});

describe("aggregator after a crash or a failure", () => {
  for (const step of ["applyBatch", "endBatch"] as const) {
    it(`counts a batch cut off at ${step} exactly once`, async () => {
      const eventId = `evt_crash${step.toLowerCase()}`;
      const sent = beats(eventId, 20);
      await expect(new Aggregator(crashingAt(step), directory).submit(sent)).rejects.toThrow(Crash);
      expect(await store.pendingBatches()).toHaveLength(1);

      const restarted = new Aggregator(store, directory);
      await restarted.recover();
      expect(await store.pendingBatches()).toHaveLength(0);
      // Kafka redelivers what was never acknowledged (twice, for good measure): it counts once.
      await restarted.submit(sent);
      await restarted.submit(sent);
      expect(await store.getStats(eventId)).toMatchObject({
        beats: 20,
        unique: 20,
        watchSeconds: 200,
        bufferingSeconds: 20,
      });
    });
  }

  it("counts a batch that failed part way exactly once, without a restart", async () => {
    // The store goes away after the beats are stored (a FerretDB or PostgreSQL restart): the
    // same process gets the redelivery, and must not take the stored beats for counted ones.
    const eventId = "evt_failedpartway";
    const failing = new AnalyticsStore(db);
    const applyBatch = failing.applyBatch.bind(failing);
    let failures = 1;
    failing.applyBatch = async (...args) => {
      if (failures-- > 0) throw new Crash("store gone");
      return applyBatch(...args);
    };
    const aggregator = new Aggregator(failing, directory);
    const sent = beats(eventId, 20);
    await expect(aggregator.submit(sent)).rejects.toThrow(Crash);
    await aggregator.submit(sent);
    await aggregator.submit(sent);
    expect(await store.pendingBatches()).toHaveLength(0);
    expect(await store.getStats(eventId)).toMatchObject({
      beats: 20,
      unique: 20,
      watchSeconds: 200,
      bufferingSeconds: 20,
    });
  });

  it("counts each viewer once while remembering only a few of them", async () => {
    // Memory bounded whatever the audience: who has been counted is the store's to know.
    const eventId = "evt_manyviewers";
    const aggregator = new Aggregator(store, directory, undefined, 10);
    await aggregator.submit(beats(eventId, 100));
    // The same 100 viewers beat again: none of them is new, though 90 were forgotten.
    await aggregator.submit(beats(eventId, 100).map((b) => ({ ...b, id: `${b.id}_again` })));
    expect(aggregator.remembered).toBe(10);
    expect(await store.getStats(eventId)).toMatchObject({ beats: 200, unique: 100 });
  });

  it("drops beats of an event nobody knows, storing nothing", async () => {
    const aggregator = new Aggregator(store, { lookup: async () => undefined });
    await aggregator.submit(beats("evt_unknownevent", 3));
    expect(aggregator.dropped).toBe(3);
    expect(await store.getStats("evt_unknownevent")).toBeNull();
    expect(await store.beats.countDocuments({ e: "evt_unknownevent" })).toBe(0);
  });
});
