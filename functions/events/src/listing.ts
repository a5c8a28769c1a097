// The events' list (a read model in PostgreSQL): what GET /api/events and GET /api/events/:id
// answer. FerretDB uses no index for a find and sorts in its own process (docs/architecture.md),
// so a list at 100,000 events took seconds there; here each list is one index range.
//
// Kept from two sides, both only ever moving a row to a newer version: the API's own writes
// (commands.ts, at once, so a creator sees what they just did) and the event.* CloudEvents
// (the `listing` sink, which also brings what a crash between the two lost, and deletions).
// Events stored before the list existed are copied in once (backfill).

import type { VideoEvent } from "@stream-platform/shared/api";
import { backfillOnce, type Pool } from "@stream-platform/shared/postgres";
import { encodeCursor, type ListQuery } from "./schemas.ts";
import type { EventStore } from "./store.ts";
import { type Snapshot, toView, viewOf } from "./views.ts";

/** An event's row: its view, or null when it was deleted (a tombstone at its last version). */
interface Row {
  id: string;
  channelId: string;
  status: string;
  startsAt: string;
  version: number;
  view: VideoEvent | null;
}

const rowOf = (view: VideoEvent): Row => ({
  id: view.id,
  channelId: view.channelId,
  status: view.status,
  startsAt: view.startsAt,
  version: view.version,
  view,
});

/** Of several rows of one event, the newest (one statement may change a row only once). */
function newestEach(rows: Row[]): Row[] {
  const newest = new Map<string, Row>();
  for (const row of rows) {
    const seen = newest.get(row.id);
    if (!seen || seen.version < row.version) newest.set(row.id, row);
  }
  return [...newest.values()];
}

export class EventListing {
  constructor(private readonly pool: Pool) {}

  /** Stores these views, each unless its row has that version or a newer one already. */
  put(views: VideoEvent[]): Promise<void> {
    return this.write(views.map(rowOf));
  }

  /**
   * What event.* CloudEvents say: each snapshot's view, or a tombstone for a deleted event. The
   * ids of snapshots that do not carry the whole view (published by an instance of the function
   * from before it did, as while a new revision rolls out), which change nothing here: the
   * caller reads those events from the store.
   */
  async record(changes: { data: Snapshot; deleted: boolean }[]): Promise<string[]> {
    const rows: Row[] = [];
    const partial: string[] = [];
    for (const { data, deleted } of changes) {
      const view = deleted ? null : viewOf(data);
      if (view === undefined) {
        partial.push(data.eventId);
        continue;
      }
      rows.push({
        id: data.eventId,
        channelId: data.channelId,
        status: data.status,
        startsAt: data.startsAt,
        version: data.version,
        view,
      });
    }
    await this.write(rows);
    return partial;
  }

  private async write(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const newest = newestEach(rows);
    await this.pool.query(
      `insert into listing (id, channel_id, status, starts_at, version, view)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::integer[], $6::json[])
       on conflict (id) do update
         set channel_id = excluded.channel_id, status = excluded.status,
             starts_at = excluded.starts_at, version = excluded.version, view = excluded.view
         where listing.version < excluded.version`,
      [
        newest.map((row) => row.id),
        newest.map((row) => row.channelId),
        newest.map((row) => row.status),
        newest.map((row) => row.startsAt),
        newest.map((row) => row.version),
        newest.map((row) => (row.view ? JSON.stringify(row.view) : null)),
      ],
    );
  }

  /**
   * An event as the API shows it; null when it was deleted, undefined when the list has not
   * heard of it.
   */
  async get(id: string): Promise<VideoEvent | null | undefined> {
    const { rows } = await this.pool.query<{ view: VideoEvent | null }>(
      "select view from listing where id = $1",
      [id],
    );
    return rows[0]?.view;
  }

  /** Of these events, those the list shows, and the ids it has heard of (deleted ones too). */
  async getMany(ids: string[]): Promise<{ views: VideoEvent[]; known: Set<string> }> {
    const { rows } = await this.pool.query<{ id: string; view: VideoEvent | null }>(
      "select id, view from listing where id = any($1::text[])",
      [ids],
    );
    return {
      views: rows.flatMap((row) => (row.view ? [row.view] : [])),
      known: new Set(rows.map((row) => row.id)),
    };
  }

  /** Keyset pagination on (startsAt, id): stable while events are added. */
  async list(query: ListQuery): Promise<{ items: VideoEvent[]; nextCursor?: string }> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where = ["view is not null"];
    if (query.status) where.push(`status = ${param(query.status)}`);
    if (query.channelId) where.push(`channel_id = ${param(query.channelId)}`);
    if (query.from) where.push(`starts_at >= ${param(query.from)}`);
    if (query.to) where.push(`starts_at < ${param(query.to)}`);
    const direction = query.order === "desc" ? "desc" : "asc";
    if (query.cursor) {
      const beyond = direction === "asc" ? ">" : "<";
      // As a Date: any date the cursor's schema accepts, in the form PostgreSQL reads.
      where.push(
        `(starts_at, id) ${beyond} (${param(new Date(query.cursor.startsAt))}, ${param(query.cursor.id)})`,
      );
    }
    const { rows } = await this.pool.query<{ view: VideoEvent }>(
      `select view from listing where ${where.join(" and ")}
       order by starts_at ${direction}, id ${direction} limit ${param(query.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, query.limit).map((row) => row.view);
    const last = items[items.length - 1];
    return {
      items,
      ...(rows.length > query.limit &&
        last && { nextCursor: encodeCursor(new Date(last.startsAt), last.id) }),
    };
  }

  /**
   * Copies every event of `source` in, once (shared/src/postgres/backfill.ts). Versions keep a
   * copy that is older than what a CloudEvent brought meanwhile from replacing it. How many
   * events it copied.
   */
  backfill(source: () => AsyncIterable<VideoEvent[]>): Promise<number> {
    return backfillOnce(this.pool, "events list", source, (views) => this.put(views));
  }
}

/**
 * An event as the API shows it, from the list; from the store only when the list has not heard
 * of it (an event a stream started a moment ago, or an id that never was: a scan of the store)
 * or cannot answer. Null when there is none, or it was deleted.
 */
export async function shownEvent(
  listing: EventListing,
  store: Pick<EventStore, "get">,
  id: string,
): Promise<VideoEvent | null> {
  const shown = await listing.get(id).catch(() => undefined);
  if (shown !== undefined) return shown;
  const doc = await store.get(id);
  return doc && toView(doc);
}
