// Viewing history in MongoDB (the analytics database): what each signed-in person watched.
//   watches  one per heartbeat of a signed-in person, `_id` = the beat's CloudEvent id: the
//            insert is the dedup (a redelivered beat is refused), and the entry below is
//            computed from these, so writing it again changes nothing
//   history  one per (person, event): seconds watched, the last position (and the recording's
//            length), when last watched; cleared entries stay as a date (`clearedAt`) so a late
//            redelivery of a beat from before the clearing never brings it back
import { insertNew, isDuplicateKey } from "@stream-platform/shared/mongodb";
import type { Collection, Db, Filter } from "mongodb";

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
  /** `${userId}/${eventId}` */
  _id: string;
  userId: string;
  eventId: string;
  watchedSeconds: number;
  position: number;
  duration?: number;
  updatedAt: Date;
  /** Beats up to here are forgotten (the person cleared it); the epoch if never. */
  clearedAt: Date;
  /** Nothing watched since it was cleared. */
  hidden: boolean;
}

const NEVER = new Date(0);
const entryId = (userId: string, eventId: string) => `${userId}/${eventId}`;

export class HistoryStore {
  readonly watches: Collection<WatchDoc>;
  readonly history: Collection<HistoryDoc>;

  constructor(db: Db) {
    this.watches = db.collection("watches");
    this.history = db.collection("history");
  }

  async ensureIndexes(): Promise<void> {
    await this.watches.createIndex({ u: 1, e: 1 });
    await this.history.createIndex({ userId: 1 });
  }

  /** The dates before which each of these entries' beats are forgotten. */
  async clearedAt(ids: { userId: string; eventId: string }[]): Promise<Map<string, Date>> {
    const docs = await this.history
      .find(
        { _id: { $in: ids.map((k) => entryId(k.userId, k.eventId)) } },
        { projection: { clearedAt: 1 } },
      )
      .toArray();
    return new Map(docs.map((doc) => [doc._id, doc.clearedAt]));
  }

  /** Ids of the beats stored now (not before). */
  insertWatches(docs: WatchDoc[]): Promise<Set<string>> {
    return insertNew(this.watches, docs);
  }

  /**
   * Computes a person's entry for an event again from its beats since the last clearing, and
   * writes it unless it was cleared meanwhile (then the clearing wins, and a later beat
   * writes it anew).
   */
  /** The entry computed anew from its beats; undefined if none counts (or it was cleared). */
  async recompute(
    userId: string,
    eventId: string,
  ): Promise<{ watchedSeconds: number; updatedAt: Date } | undefined> {
    const _id = entryId(userId, eventId);
    const current = await this.history.findOne({ _id }, { projection: { clearedAt: 1 } });
    const clearedAt = current?.clearedAt ?? NEVER;
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
    try {
      await this.history.updateOne(
        { _id, clearedAt },
        {
          $set: {
            userId,
            eventId,
            watchedSeconds: entry.watchedSeconds,
            position: last.p,
            updatedAt: last.t,
            hidden: false,
            ...(last.d !== undefined && { duration: last.d }),
          },
          // Watched live last: no recording's length to finish.
          ...(last.d === undefined && { $unset: { duration: "" } }),
        },
        { upsert: true },
      );
      return entry;
    } catch (error) {
      // Cleared meanwhile: the upsert met the entry with its new date.
      if (!isDuplicateKey(error)) throw error;
      return undefined;
    }
  }

  /** A page of a person's entries, last watched first; the cursor is the last entry's event. */
  async list(
    userId: string,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: HistoryDoc[]; nextCursor?: string }> {
    const filter: Filter<HistoryDoc> = { userId, hidden: false };
    const anchor = query.cursor ? await this.get(userId, query.cursor) : null;
    if (anchor)
      filter.$or = [
        { updatedAt: { $lt: anchor.updatedAt } },
        { updatedAt: anchor.updatedAt, _id: { $lt: anchor._id } },
      ];
    const items = await this.history
      .find(filter)
      .sort({ updatedAt: -1, _id: -1 })
      .limit(query.limit + 1)
      .toArray();
    const page = items.slice(0, query.limit);
    const more = items.length > query.limit;
    return { items: page, ...(more && { nextCursor: page.at(-1)?.eventId }) };
  }

  get(userId: string, eventId: string): Promise<HistoryDoc | null> {
    return this.history.findOne({ _id: entryId(userId, eventId), hidden: false });
  }

  /** Forgets what a person watched of one event, or of every event, up to `at`. */
  async clear(userId: string, at: Date, eventId?: string): Promise<void> {
    const entries: Filter<HistoryDoc> =
      eventId === undefined ? { userId } : { _id: entryId(userId, eventId) };
    await this.history.updateMany(entries, {
      $set: { clearedAt: at, hidden: true, watchedSeconds: 0, position: 0 },
      $unset: { duration: "" },
    });
    const beats: Filter<WatchDoc> =
      eventId === undefined
        ? { u: userId, t: { $lte: at } }
        : { u: userId, e: eventId, t: { $lte: at } };
    await this.watches.deleteMany(beats);
  }

  /** A deleted account's history, all of it (user.deleted). Idempotent. */
  async forgetUser(userId: string): Promise<void> {
    await this.watches.deleteMany({ u: userId });
    await this.history.deleteMany({ userId });
  }
}
