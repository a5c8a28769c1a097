import { serviceUrls } from "@stream-platform/shared";
import { MongoClient, MongoServerError } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueName } from "./names.ts";

describe("MongoDB wire protocol (FerretDB locally)", () => {
  const client = new MongoClient(serviceUrls().mongodbUrl);
  const db = client.db(uniqueName("t_mongo"));
  const events = db.collection<{ _id?: unknown; title: string; channel: string; viewers: number }>(
    "events",
  );

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it("inserts, then finds with a filter and a sort", async () => {
    await events.insertMany([
      { title: "b", channel: "c1", viewers: 20 },
      { title: "a", channel: "c1", viewers: 5 },
      { title: "c", channel: "c2", viewers: 7 },
    ]);
    const found = await events
      .find({ channel: "c1" }, { projection: { _id: 0 } })
      .sort({ viewers: -1 })
      .toArray();
    expect(found.map((e) => e.title)).toEqual(["b", "a"]);
  });

  // FerretDB 1.24 computes only the first accumulator of a $group (others come back 0) and
  // lacks $max/$avg there: see docs/architecture.md. One accumulator per $group is portable.
  it("aggregates per group", async () => {
    const totals = await events
      .aggregate<{ _id: string; total: number }>([
        { $match: { viewers: { $gt: 1 } } },
        { $group: { _id: "$channel", total: { $sum: "$viewers" } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(totals).toEqual([
      { _id: "c1", total: 25 },
      { _id: "c2", total: 7 },
    ]);
  });

  it("rejects a duplicate under a unique index", async () => {
    const users = db.collection<{ email: string }>("users");
    await users.createIndex({ email: 1 }, { unique: true });
    await users.insertOne({ email: "ada@example.org" });
    const duplicate = users.insertOne({ email: "ada@example.org" });
    await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    expect(await users.countDocuments()).toBe(1);
  });
});
