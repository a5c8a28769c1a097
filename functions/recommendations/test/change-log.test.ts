// The API's replica kept current from the change log, on the real MongoDB server (FerretDB
// locally), in a database of its own: what the sink writes reaches a model built before it at
// the next look, and a clearing or a deletion leaves the person's own list then; a rebuild from
// the collections gives the same person.
import { randomBytes } from "node:crypto";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ItemInput } from "../src/model.ts";
import { ModelCache, REFRESH_MS } from "../src/model-cache.ts";
import { RecommendationStore } from "../src/store.ts";

const mongo = createMongoClient();
const db = mongo.db(`recommendations_log_${randomBytes(4).toString("hex")}`);
const store = new RecommendationStore(db);
const now = Date.now();
const item = (id: string): ItemInput => ({
  id,
  title: `Title ${id}`,
  channelId: "ch",
  tags: [],
  status: "ended",
  startsAt: now - 86_400_000,
});

beforeAll(async () => {
  await store.ensureIndexes();
  await store.putItem(item("a"), 1);
  await store.putView({ personId: "ada", eventId: "a", seconds: 300, at: now - 60_000 });
});

afterAll(async () => {
  await db.dropDatabase();
  await mongo.close();
});

describe("the change log", () => {
  it("brings the sink's writes, clearings and deletions to a model built before them", async () => {
    const cache = new ModelCache(store);
    try {
      const built = await cache.current();
      expect(built.people.of("ada").watched.map((w) => w.eventId)).toEqual(["a"]);

      await store.putItem(item("b"), 1);
      await store.putView({ personId: "ada", eventId: "b", seconds: 120, at: now });
      await store.putView({ personId: "bo", eventId: "a", seconds: 60, at: now });
      await store.putFollow("bo", "ch", true, new Date(now));
      const later = await vi.waitUntil(
        async () => {
          const replica = await cache.current();
          return replica.people.of("ada").watched.length === 2 ? replica : undefined;
        },
        { timeout: REFRESH_MS * 4, interval: 200 },
      );
      expect(later.model.byId.get("b")?.described).toBe(true);
      expect(later.people.of("bo").follows).toEqual(["ch"]);

      await store.clear("ada", new Date(now + 1));
      await store.forgetPerson("bo", new Date(now + 1));
      await vi.waitUntil(
        async () => {
          const { people } = await cache.current();
          return people.of("ada").watched.length === 0 && people.of("bo").follows.length === 0;
        },
        { timeout: REFRESH_MS * 4, interval: 200 },
      );
      // A late update from before the clearing changes nothing, in the store or the model.
      await store.putView({ personId: "ada", eventId: "a", seconds: 600, at: now - 1 });
      const fresh = new ModelCache(store);
      try {
        expect((await fresh.current()).people.of("ada")).toEqual({ watched: [], follows: [] });
      } finally {
        fresh.stop();
      }
    } finally {
      cache.stop();
    }
  }, 60_000);
});
