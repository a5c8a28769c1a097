// The events' list (src/listing.ts) against the real PostgreSQL, in a schema of its own made by
// the function's migrations: versions only move forward, a deletion stays deleted, lists page
// through ties in order, and the backfill copies once however many instances start together.
import { randomBytes, randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serviceUrls } from "@stream-platform/shared";
import type { VideoEvent } from "@stream-platform/shared/api";
import { createPool, createSchemaPool, migrateSchema } from "@stream-platform/shared/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventListing } from "../src/listing.ts";
import { listQuery } from "../src/schemas.ts";
import type { EventDoc } from "../src/store.ts";
import { snapshot, toView, viewOf } from "../src/views.ts";

const migrations = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");
const schema = `listing_test_${randomBytes(4).toString("hex")}`;
const admin = createPool(undefined, 1);
let pool: ReturnType<typeof createPool>;
let listing: EventListing;

beforeAll(async () => {
  pool = createSchemaPool(serviceUrls().databaseUrl, schema, 4);
  await migrateSchema(pool, schema, migrations);
  listing = new EventListing(pool);
});

afterAll(async () => {
  await pool.end();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
});

let serial = 0;
/** A stored event as the store keeps it; ids in the order they are made. */
function doc(fields: Partial<EventDoc> = {}): EventDoc {
  serial += 1;
  const at = new Date("2030-01-01T10:00:00.000Z");
  return {
    _id: `evt_${String(serial).padStart(4, "0")}${randomBytes(4).toString("hex")}`,
    channelId: randomUUID(),
    ownerId: randomUUID(),
    title: `Event ${serial}`,
    description: "",
    tags: [],
    startsAt: at,
    status: "scheduled",
    version: 1,
    createdAt: at,
    updatedAt: at,
    applied: [],
    ...fields,
  };
}

const list = (query: Record<string, string>) => listing.list(listQuery.parse(query));

describe("the events' list", () => {
  it("shows a snapshot as the API shows the stored event", () => {
    const full = doc({
      category: "science",
      tags: ["space"],
      description: "Up",
      status: "ended",
      startedAt: new Date("2030-01-01T10:01:00.000Z"),
      endsAt: new Date("2030-01-01T11:00:00.000Z"),
      vodPath: "/vod/x/index.m3u8",
      posterPath: "/hls/evt_x/poster-vod.jpg",
      version: 4,
    });
    for (const stored of [full, doc(), doc({ status: "cancelled", posterPath: "/hls/e/p.jpg" })])
      expect(viewOf(snapshot(stored))).toEqual(toView(stored));
  });

  it("moves a row only to a newer version", async () => {
    const stored = doc();
    const id = stored._id;
    await listing.put([toView({ ...stored, version: 2, title: "Second" })]);
    await listing.put([toView({ ...stored, version: 1, title: "First, late" })]);
    await listing.put([toView({ ...stored, version: 2, title: "Second, again" })]);
    expect(await listing.get(id)).toMatchObject({ version: 2, title: "Second" });
    // As CloudEvents: one request with several versions of it keeps the newest.
    await listing.record(
      [4, 3].map((version) => ({
        data: snapshot({ ...stored, version, title: `Version ${version}` }),
        deleted: false,
      })),
    );
    expect(await listing.get(id)).toMatchObject({ version: 4, title: "Version 4" });
  });

  it("keeps a deleted event deleted, whatever arrives late", async () => {
    const stored = doc({ version: 3 });
    await listing.put([toView(stored)]);
    await listing.record([{ data: snapshot({ ...stored, version: 4 }), deleted: true }]);
    await listing.record([{ data: snapshot(stored), deleted: false }]);
    await listing.put([toView(stored)]);
    expect(await listing.get(stored._id)).toBeNull();
    expect(await listing.getMany([stored._id])).toEqual({
      views: [],
      known: new Set([stored._id]),
    });
    expect((await list({ channelId: stored.channelId })).items).toEqual([]);
  });

  it("leaves a snapshot published before snapshots carried the whole view to the caller", async () => {
    const stored = doc();
    const { ownerId: _owner, createdAt: _created, updatedAt: _updated, ...old } = snapshot(stored);
    const whole = doc();
    expect(
      await listing.record([
        { data: old, deleted: false },
        { data: snapshot(whole), deleted: false },
      ]),
    ).toEqual([stored._id]);
    expect(await listing.get(stored._id)).toBeUndefined();
    expect(await listing.get(whole._id)).toEqual(toView(whole));
  });

  it("lists by status, channel and time, in order, and pages through ties once each", async () => {
    const channelId = randomUUID();
    const base = new Date("2031-03-01T00:00:00.000Z").getTime();
    // Twelve events at four start times (ties on the time are ordered by id), one of them live,
    // one ended, and one on another channel.
    const docs = Array.from({ length: 12 }, (_, i) =>
      doc({ channelId, startsAt: new Date(base + Math.floor(i / 3) * 3_600_000) }),
    );
    (docs[4] as EventDoc).status = "live";
    (docs[7] as EventDoc).status = "ended";
    const elsewhere = doc({ startsAt: new Date(base) });
    await listing.put([...docs, elsewhere].map(toView));

    const ids = (items: VideoEvent[]) => items.map((item) => item.id);
    const expected = docs.map((d) => d._id);
    const all = async (query: Record<string, string>) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list({ ...query, limit: "5", ...(cursor && { cursor }) });
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...ids(page.items));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    expect(await all({ channelId })).toEqual(expected);
    expect(await all({ channelId, order: "desc" })).toEqual([...expected].reverse());
    expect(ids((await list({ channelId, status: "live" })).items)).toEqual([docs[4]?._id]);
    expect(
      ids(
        (
          await list({
            channelId,
            status: "scheduled",
            from: new Date(base + 3_600_000).toISOString(),
            to: new Date(base + 3 * 3_600_000).toISOString(),
          })
        ).items,
      ),
    ).toEqual([docs[3], docs[5], docs[6], docs[8]].map((d) => d?._id));
    expect(toView(docs[0] as EventDoc)).toEqual((await list({ channelId, limit: "1" })).items[0]);
    // A cursor's time in any form its schema accepts.
    const cursor = Buffer.from(
      JSON.stringify({ startsAt: "Sat, 01 Mar 2031 00:00:00 GMT", id: docs[0]?._id }),
    ).toString("base64url");
    expect(ids((await list({ channelId, cursor, limit: "2" })).items)).toEqual(
      expected.slice(1, 3),
    );
  });

  it("copies the stored events once, however many instances start together, and never over a newer row", async () => {
    const stored = Array.from({ length: 25 }, () => doc());
    const newer = { ...(stored[0] as EventDoc), version: 5, title: "Changed meanwhile" };
    await listing.put([toView(newer)]);
    const source = async function* () {
      for (let i = 0; i < stored.length; i += 10) yield stored.slice(i, i + 10).map(toView);
    };
    const copied = await Promise.all([
      listing.backfill(source),
      new EventListing(pool).backfill(source),
    ]);
    expect(copied.sort()).toEqual([0, 25]);
    expect(await listing.backfill(source)).toBe(0);
    expect(await listing.get(newer._id)).toMatchObject({ version: 5, title: "Changed meanwhile" });
    for (const one of stored.slice(1)) expect(await listing.get(one._id)).toEqual(toView(one));
  });
});
