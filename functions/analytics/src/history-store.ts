// Viewing history: what each signed-in person watched.
//   watches  (MongoDB, the analytics database) one per heartbeat of a signed-in person, `_id` =
//            the beat's CloudEvent id: the insert is the dedup (a redelivered beat is refused),
//            and the entry below is computed from these, so writing it again changes nothing
//   history  (PostgreSQL, migrations/001_history.sql) one row per (person, event): seconds
//            watched, the last position (and the recording's length), when last watched;
//            cleared entries stay as a date (`cleared_at`) so a late redelivery of a beat from
//            before the clearing never brings it back. In PostgreSQL because a person's list is
//            read on every home page, and FerretDB uses no index for a find.
import { inBatches } from "@stream-platform/shared";
import { insertNew } from "@stream-platform/shared/mongodb";
import { backfillOnce, type Pool } from "@stream-platform/shared/postgres";
import { type Collection, type Db, type Filter, MongoServerError } from "mongodb";

export interface WatchDoc {
  _id: string;
  /** The person. */
  u: string;
  /** The event. */
  e: string;
  /** Seconds played since the previous beat. */
  s: number;
  /** Position in the video. */
  p: number;
  /** The recording's length, when it was one. */
  d?: number;
  /** When the beat was sent. */
  t: Date;
}

export interface HistoryDoc {
  userId: string;
  eventId: string;
  watchedSeconds: number;
  position: number;
  duration?: number;
  updatedAt: Date;
}

/** A row of `history` as the driver reads it. */
interface HistoryRow {
  user_id: string;
  event_id: string;
  watched_seconds: number;
  position: number;
  duration: number | null;
  updated_at: Date;
}

const docOf = (row: HistoryRow): HistoryDoc => ({
  userId: row.user_id,
  eventId: row.event_id,
  watchedSeconds: row.watched_seconds,
  position: row.position,
  ...(row.duration !== null && { duration: row.duration }),
  updatedAt: row.updated_at,
});

const COLUMNS = "user_id, event_id, watched_seconds, position, duration, updated_at";

const NEVER = new Date(0);

export class HistoryStore {
  readonly watches: Collection<WatchDoc>;

  constructor(
    db: Db,
    private readonly pool: Pool,
  ) {
    this.watches = db.collection("watches");
  }

  async ensureIndexes(): Promise<void> {
    await this.watches.createIndex({ u: 1, e: 1 });
  }

  /** The dates before which each of these entries' beats are forgotten (`${userId}/${eventId}`). */
  async clearedAt(ids: { userId: string; eventId: string }[]): Promise<Map<string, Date>> {
    const { rows } = await this.pool.query<{ user_id: string; event_id: string; cleared_at: Date }>(
      `select user_id, event_id, cleared_at from history
       where (user_id, event_id) in (select * from unnest($1::text[], $2::text[]))`,
      [ids.map((k) => k.userId), ids.map((k) => k.eventId)],
    );
    return new Map(rows.map((row) => [`${row.user_id}/${row.event_id}`, row.cleared_at]));
  }

  /** Ids of the beats stored now (not before). */
  insertWatches(docs: WatchDoc[]): Promise<Set<string>> {
    return insertNew(this.watches, docs);
  }

  /**
   * The entry computed anew from its beats since the last clearing, and written unless it was
   * cleared meanwhile (then the clearing wins, and a later beat writes it anew); undefined if
   * none counts (or it was cleared).
   */
  async recompute(
    userId: string,
    eventId: string,
  ): Promise<{ watchedSeconds: number; updatedAt: Date } | undefined> {
    const clearedAt = (await this.clearedAt([{ userId, eventId }])).values().next().value ?? NEVER;
    const beats = await this.watches.find({ u: userId, e: eventId }).toArray();
    let watchedSeconds = 0;
    let last: WatchDoc | undefined;
    for (const beat of beats) {
      if (beat.t <= clearedAt) continue;
      watchedSeconds += beat.s;
      if (
        !last ||
        beat.t > last.t ||
        (beat.t.getTime() === last.t.getTime() && beat._id > last._id)
      )
        last = beat;
    }
    if (!last) return undefined;
    const entry = { watchedSeconds: Math.round(watchedSeconds * 10) / 10, updatedAt: last.t };
    // Watched live last: no recording's length to finish (duration null).
    const { rowCount } = await this.pool.query(
      `insert into history (${COLUMNS}) values ($1, $2, $3, $4, $5, $6)
       on conflict (user_id, event_id) do update
         set watched_seconds = excluded.watched_seconds, position = excluded.position,
             duration = excluded.duration, updated_at = excluded.updated_at, hidden = false
         where history.cleared_at = $7`,
      [userId, eventId, entry.watchedSeconds, last.p, last.d ?? null, last.t, clearedAt],
    );
    return rowCount ? entry : undefined;
  }

  /** A page of a person's entries, last watched first; the cursor is the last entry's event. */
  async list(
    userId: string,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: HistoryDoc[]; nextCursor?: string }> {
    // After the cursor's entry; from the top when it is gone (cleared meanwhile).
    const anchor = query.cursor ? await this.get(userId, query.cursor) : null;
    const { rows } = await this.pool.query<HistoryRow>(
      `select ${COLUMNS} from history where user_id = $1 and not hidden
       ${anchor ? "and (updated_at, event_id) < ($3, $4)" : ""}
       order by updated_at desc, event_id desc limit $2`,
      [userId, query.limit + 1, ...(anchor ? [anchor.updatedAt, anchor.eventId] : [])],
    );
    const page = rows.slice(0, query.limit).map(docOf);
    const more = rows.length > query.limit;
    return { items: page, ...(more && { nextCursor: page.at(-1)?.eventId }) };
  }

  async get(userId: string, eventId: string): Promise<HistoryDoc | null> {
    const { rows } = await this.pool.query<HistoryRow>(
      `select ${COLUMNS} from history where user_id = $1 and event_id = $2 and not hidden`,
      [userId, eventId],
    );
    return rows[0] ? docOf(rows[0]) : null;
  }

  /** Forgets what a person watched of one event, or of every event, up to `at`. */
  async clear(userId: string, at: Date, eventId?: string): Promise<void> {
    await this.pool.query(
      `update history
       set cleared_at = $2, hidden = true, watched_seconds = 0, position = 0, duration = null
       where user_id = $1 ${eventId === undefined ? "" : "and event_id = $3"}`,
      [userId, at, ...(eventId === undefined ? [] : [eventId])],
    );
    const beats: Filter<WatchDoc> =
      eventId === undefined
        ? { u: userId, t: { $lte: at } }
        : { u: userId, e: eventId, t: { $lte: at } };
    await this.watches.deleteMany(beats);
  }

  /** A deleted account's history, all of it (user.deleted). Idempotent. */
  async forgetUser(userId: string): Promise<void> {
    await this.watches.deleteMany({ u: userId });
    await this.pool.query("delete from history where user_id = $1", [userId]);
  }

  /**
   * Moves the entries kept in MongoDB's `history` collection before they lived here: copied once
   * (a row written meanwhile, by a beat or a clearing, is newer and stays), then the collection
   * dropped, so that nothing of a person stays where their account's deletion no longer looks.
   */
  copyFromMongo(db: Db): Promise<number> {
    const old = db.collection<HistoryDoc & { clearedAt: Date; hidden: boolean }>("history");
    return backfillOnce(
      this.pool,
      "history from MongoDB",
      // Dropped once read to its end, before the copy is recorded as done: a crash in between
      // copies an empty collection next time. Never looked at again after that.
      async function* () {
        yield* inBatches(old.find({}).batchSize(1000), 1000);
        await old.drop().catch((error: unknown) => {
          // Never there (a deployment that began with the history here).
          if (!(error instanceof MongoServerError && error.codeName === "NamespaceNotFound"))
            throw error;
        });
      },
      async (docs) => {
        await this.pool.query(
          `insert into history (${COLUMNS}, cleared_at, hidden)
           select * from unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[],
                                $6::timestamptz[], $7::timestamptz[], $8::boolean[])
           on conflict (user_id, event_id) do nothing`,
          [
            docs.map((d) => d.userId),
            docs.map((d) => d.eventId),
            docs.map((d) => d.watchedSeconds),
            docs.map((d) => d.position),
            docs.map((d) => d.duration ?? null),
            docs.map((d) => d.updatedAt),
            docs.map((d) => d.clearedAt ?? NEVER),
            docs.map((d) => d.hidden ?? false),
          ],
        );
      },
    );
  }
}
