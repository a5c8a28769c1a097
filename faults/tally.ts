// Counts, per fault window, what the stores hold of what the load sent: applied (present once)
// and duplicated (counted more than once), read from the stores themselves.
import type { CloudEventV1 } from "@stream-platform/shared";
import { createElasticsearch } from "@stream-platform/shared/elasticsearch";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { createPool } from "@stream-platform/shared/postgres";
import type { MongoClient } from "mongodb";
import { aliasNames } from "../functions/search/src/aliases.ts";
import type { Window } from "./load.ts";

export interface Tally {
  window: string;
  store: "MongoDB" | "Elasticsearch" | "PostgreSQL";
  what: string;
  sent: number;
  applied: number;
  duplicated: number;
}

export const lost = (t: Tally) => t.sent - t.applied;

/** The analytics function's database (the name its manifest gives, locally the default). */
export const analyticsDb = (mongo: MongoClient) =>
  mongo.db(process.env.ANALYTICS_DB ?? "analytics");

/**
 * MongoDB (analytics): beats stored for the window's video event, and the beats its statistics
 * counted; a beat counted twice shows as counted > stored.
 */
async function heartbeats(windows: Window[]): Promise<Tally[]> {
  const mongo = createMongoClient();
  try {
    const db = analyticsDb(mongo);
    return await Promise.all(
      windows.map(async (w): Promise<Tally> => {
        const stored = await db.collection("beats").countDocuments({ e: w.eventId });
        const stats = await db.collection("stats").findOne({ _id: w.eventId as never });
        const counted = Number(stats?.beats ?? 0);
        return {
          window: w.name,
          store: "MongoDB",
          what: "heartbeats",
          sent: w.heartbeats.length,
          applied: Math.min(stored, counted),
          duplicated: Math.max(0, counted - stored) + Math.max(0, stored - w.heartbeats.length),
        };
      }),
    );
  } finally {
    await mongo.close();
  }
}

/** Elasticsearch (search): the window's event snapshots found in the events index. */
async function snapshots(windows: Window[]): Promise<Tally[]> {
  const es = createElasticsearch("fault-tally");
  try {
    const index = aliasNames().events;
    await es.indices.refresh({ index });
    return await Promise.all(
      windows.map(async (w): Promise<Tally> => {
        const { count } = await es.count({ index, query: { ids: { values: w.snapshots } } });
        return {
          window: w.name,
          store: "Elasticsearch",
          what: "event snapshots",
          sent: w.snapshots.length,
          applied: Math.min(count, w.snapshots.length),
          duplicated: Math.max(0, count - w.snapshots.length),
        };
      }),
    );
  } finally {
    await es.close();
  }
}

/**
 * PostgreSQL (subscriptions): the rows for the window's subscriptions, and the
 * subscription.created events their outbox published; a request applied twice would show as a
 * second event (a new id) for the same subscription.
 */
async function subscriptions(
  windows: Window[],
  userId: string,
  published: CloudEventV1[],
): Promise<Tally[]> {
  const pool = createPool();
  try {
    const announced = new Map<string, Set<string>>();
    for (const event of published) {
      const data = event.data as { userId?: string; target?: { id?: string } };
      if (event.type !== "streamplatform.subscription.created" || data.userId !== userId) continue;
      const id = data.target?.id ?? "";
      announced.set(id, (announced.get(id) ?? new Set()).add(event.id));
    }
    return await Promise.all(
      windows.map(async (w): Promise<Tally> => {
        const { rows } = await pool.query<{ n: string }>(
          "select count(*) as n from subscriptions where user_id = $1 and channel_id = any($2::uuid[])",
          [userId, w.subscriptions],
        );
        const stored = Number(rows[0]?.n ?? 0);
        const events = w.subscriptions.map((id) => announced.get(id)?.size ?? 0);
        const announcedOnce = events.filter((n) => n >= 1).length;
        return {
          window: w.name,
          store: "PostgreSQL",
          what: "subscriptions (+ their events)",
          sent: w.subscriptions.length,
          applied: Math.min(stored, announcedOnce),
          duplicated: events.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
        };
      }),
    );
  } finally {
    await pool.end();
  }
}

export async function tally(
  windows: Window[],
  userId: string,
  published: CloudEventV1[],
): Promise<Tally[]> {
  const all = [
    ...(await heartbeats(windows)),
    ...(await snapshots(windows)),
    ...(await subscriptions(windows, userId, published)),
  ];
  const order = windows.map((w) => w.name);
  return all.sort((a, b) => order.indexOf(a.window) - order.indexOf(b.window));
}

export function table(tallies: Tally[]): string {
  const header = ["fault", "store", "what", "sent", "applied", "duplicated", "lost"];
  const rows = tallies.map((t) => [
    t.window,
    t.store,
    t.what,
    String(t.sent),
    String(t.applied),
    String(t.duplicated),
    String(lost(t)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  return [header, ...rows]
    .map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "))
    .join("\n");
}
