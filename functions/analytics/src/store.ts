// Analytics in MongoDB. FerretDB 1.24 inserts fast (tens of thousands of small documents a
// second) but updates slowly and not atomically, so the design inserts per heartbeat and
// updates per event:
//   heartbeats  one document per CloudEvent, `_id` = its id: the insert *is* the dedup (a
//               redelivered beat is refused), and the raw data figures can be rebuilt from
//   viewers     one per (event, viewer): unique viewers
//   stats       one per event: totals, peak, current concurrency, the per-minute timeline and
//               the rendition mix, written by the aggregator alone (one writer, so no lost update)
//   journal     the batch being applied: a crash between the inserts and the stats update
//               leaves it here, and the next start applies it (stats remember the last batch)
import type { Collection, Db, MongoBulkWriteError } from "mongodb";

export interface HeartbeatDoc {
  _id: string;
  batch: string;
  eventId: string;
  viewerId: string;
  sessionId: string;
  at: Date;
  /** `eventId/minute`: one equality to find a minute's beats (FerretDB pushes only those down). */
  em: string;
  played: number;
  buffering: number;
  rendition?: string;
}

export interface ViewerDoc {
  _id: string;
  eventId: string;
  batch: string;
}

export interface MinuteFigures {
  viewers: number;
  watchSeconds: number;
  bufferingSeconds: number;
  beats: number;
}

export interface StatsDoc {
  _id: string;
  channelId: string;
  ownerId: string;
  unique: number;
  peak: number;
  peakAt?: Date;
  concurrent: number;
  concurrentAt: Date;
  watchSeconds: number;
  bufferingSeconds: number;
  beats: number;
  renditions?: Record<string, number>;
  minutes?: Record<string, MinuteFigures>;
  live?: boolean;
  streamStartedAt?: Date;
  streamEndedAt?: Date;
  lastBatch: string;
  updatedAt: Date;
}

interface JournalDoc {
  _id: string;
  startedAt: Date;
}

const DUPLICATE_KEY = 11000;

/** `_id`s of the documents an unordered insertMany stored; duplicates are not failures. */
async function insertNew<T extends { _id: string }>(
  collection: Collection<T>,
  docs: T[],
): Promise<Set<string>> {
  const stored = new Set(docs.map((doc) => doc._id));
  if (docs.length === 0) return stored;
  try {
    // biome-ignore lint/suspicious/noExplicitAny: the driver's OptionalId typing of generic T
    await collection.insertMany(docs as any, { ordered: false });
  } catch (error) {
    const failures = (error as MongoBulkWriteError).writeErrors;
    const list = Array.isArray(failures) ? failures : failures ? [failures] : [];
    if (list.length === 0 || list.some((e) => e.code !== DUPLICATE_KEY)) throw error;
    for (const failure of list) {
      const doc = docs[failure.index];
      if (doc) stored.delete(doc._id);
    }
  }
  return stored;
}

export class AnalyticsStore {
  readonly heartbeats: Collection<HeartbeatDoc>;
  readonly viewers: Collection<ViewerDoc>;
  readonly stats: Collection<StatsDoc>;
  private readonly journal: Collection<JournalDoc>;

  constructor(db: Db) {
    this.heartbeats = db.collection("heartbeats");
    this.viewers = db.collection("viewers");
    this.stats = db.collection("stats");
    this.journal = db.collection("journal");
  }

  async ensureIndexes(): Promise<void> {
    await this.heartbeats.createIndex({ batch: 1 });
    await this.heartbeats.createIndex({ em: 1 });
    await this.viewers.createIndex({ eventId: 1 });
    await this.viewers.createIndex({ batch: 1 });
    await this.stats.createIndex({ channelId: 1 });
  }

  /** Ids of the beats stored now (not before). */
  insertHeartbeats(docs: HeartbeatDoc[]): Promise<Set<string>> {
    return insertNew(this.heartbeats, docs);
  }

  /** Ids of the viewers first seen now. */
  insertViewers(docs: ViewerDoc[]): Promise<Set<string>> {
    return insertNew(this.viewers, docs);
  }

  heartbeatsOfBatch(batch: string): Promise<HeartbeatDoc[]> {
    return this.heartbeats.find({ batch }).toArray();
  }

  async viewersOfBatch(batch: string): Promise<string[]> {
    const docs = await this.viewers.find({ batch }, { projection: { _id: 1 } }).toArray();
    return docs.map((doc) => doc._id);
  }

  async viewersOfEvent(eventId: string): Promise<string[]> {
    const docs = await this.viewers.find({ eventId }, { projection: { _id: 1 } }).toArray();
    return docs.map((doc) => doc._id.slice(eventId.length + 1));
  }

  async viewersOfMinute(em: string): Promise<string[]> {
    const docs = await this.heartbeats.find({ em }, { projection: { viewerId: 1 } }).toArray();
    return docs.map((doc) => doc.viewerId);
  }

  getStats(eventId: string): Promise<StatsDoc | null> {
    return this.stats.findOne({ _id: eventId });
  }

  statsOfChannel(channelId: string): Promise<StatsDoc[]> {
    return this.stats.find({ channelId }, { projection: { minutes: 0 } }).toArray();
  }

  /**
   * Applies one batch's changes to an event's figures unless that batch already was (after a
   * crash, the journal replays it): the filter misses, the upsert collides on `_id`.
   */
  async applyBatch(
    eventId: string,
    batch: string,
    update: { $inc: Record<string, number>; $set: Record<string, unknown> },
  ): Promise<void> {
    try {
      await this.stats.updateOne(
        { _id: eventId, lastBatch: { $ne: batch } },
        { $inc: update.$inc, $set: { ...update.$set, lastBatch: batch } },
        { upsert: true },
      );
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    }
  }

  /** Concurrency only: idempotent, so outside any batch. */
  async setConcurrent(eventId: string, concurrent: number, at: Date): Promise<void> {
    await this.stats.updateOne({ _id: eventId }, { $set: { concurrent, concurrentAt: at } });
  }

  async beginBatch(batch: string): Promise<void> {
    await this.journal.insertOne({ _id: batch, startedAt: new Date() });
  }

  async endBatch(batch: string): Promise<void> {
    await this.journal.deleteOne({ _id: batch });
  }

  async pendingBatches(): Promise<string[]> {
    const docs = await this.journal.find({}).sort({ startedAt: 1 }).toArray();
    return docs.map((doc) => doc._id);
  }
}
