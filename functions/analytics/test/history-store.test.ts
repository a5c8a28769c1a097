// The viewing history's move from MongoDB to PostgreSQL (src/history-store.ts copyFromMongo),
// against the real servers, in a MongoDB database and a PostgreSQL schema of its own: every
// entry is copied once with its clearing, a row written since (newer) is kept, and the old
// collection is dropped.
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serviceUrls } from "@stream-platform/shared";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { createPool, createSchemaPool, migrateSchema } from "@stream-platform/shared/postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { HistoryStore } from "../src/history-store.ts";

const migrations = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");
const name = `history_copy_${randomBytes(4).toString("hex")}`;
const mongo = createMongoClient();
const db = mongo.db(name);
const admin = createPool(undefined, 1);
const pool = createSchemaPool(serviceUrls().databaseUrl, name, 2);
const store = new HistoryStore(db, pool);

beforeAll(async () => {
  await migrateSchema(pool, name, migrations);
});

afterAll(async () => {
  await pool.end();
  await admin.query(`drop schema ${name} cascade`);
  await admin.end();
  await db.dropDatabase();
  await mongo.close();
});

it("copies the entries kept in MongoDB once, clearings included, never over a newer row", async () => {
  const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 10, minute));
  await db.collection("history").insertMany([
    // As the store kept them in MongoDB: `${userId}/${eventId}` ids.
    {
      _id: "ada/evt_a" as never,
      userId: "ada",
      eventId: "evt_a",
      watchedSeconds: 95.5,
      position: 90,
      duration: 600,
      updatedAt: at(5),
      clearedAt: new Date(0),
      hidden: false,
    },
    {
      _id: "ada/evt_b" as never,
      userId: "ada",
      eventId: "evt_b",
      watchedSeconds: 0,
      position: 0,
      updatedAt: at(3),
      clearedAt: at(4),
      hidden: true,
    },
    {
      _id: "bob/evt_a" as never,
      userId: "bob",
      eventId: "evt_a",
      watchedSeconds: 10,
      position: 10,
      updatedAt: at(1),
      clearedAt: new Date(0),
      hidden: false,
    },
  ]);
  // Bob watched again after the new code started: his row is newer than MongoDB's.
  await pool.query(
    `insert into history (user_id, event_id, watched_seconds, position, updated_at)
     values ('bob', 'evt_a', 40, 40, $1)`,
    [at(9)],
  );

  expect(await store.copyFromMongo(db)).toBe(3);
  // Moved: nothing of anyone stays in MongoDB, where an account's deletion no longer looks.
  expect(await db.listCollections({ name: "history" }).toArray()).toEqual([]);
  expect(await store.copyFromMongo(db)).toBe(0);

  expect((await store.list("ada", { limit: 10 })).items).toEqual([
    {
      userId: "ada",
      eventId: "evt_a",
      watchedSeconds: 95.5,
      position: 90,
      duration: 600,
      updatedAt: at(5),
    },
  ]);
  // The cleared entry came with its date: a beat from before it still counts for nothing.
  expect((await store.clearedAt([{ userId: "ada", eventId: "evt_b" }])).get("ada/evt_b")).toEqual(
    at(4),
  );
  expect(await store.get("bob", "evt_a")).toMatchObject({ watchedSeconds: 40, updatedAt: at(9) });
});
