// Video events in MongoDB (FerretDB locally): persistence only. Every change is one document
// update, conditional on `version`, that also queues its CloudEvents in the document's outbox, so
// an event exists exactly when the change does (shared/src/mongodb/outbox.ts). What may change
// and what it announces is decided by domain.ts; commands.ts runs the two together.
import { randomBytes } from "node:crypto";
import { type CloudEventV1, inBatches } from "@stream-platform/shared";
import type { VideoEvent } from "@stream-platform/shared/api";
import {
  DocumentLocks,
  isDuplicateKey,
  outboxFields,
  type WithOutbox,
  withOutbox,
} from "@stream-platform/shared/mongodb";
import type { Collection, Db } from "mongodb";
import type { Change, EventState } from "./domain.ts";
import type { Status } from "./schemas.ts";

/** The stored document: the API's view with real dates, its id as `_id`, and internals. */
export interface EventDoc
  extends Omit<
      VideoEvent,
      | "id"
      | "startsAt"
      | "startedAt"
      | "endsAt"
      | "createdAt"
      | "updatedAt"
      | "status"
      | "posterUrl"
      | "posterSmallUrl"
    >,
    EventState,
    WithOutbox {
  _id: string;
  status: Status;
  createdAt: Date;
  updatedAt: Date;
}

/** The lock every writer of an event document takes (store, relay). */
export const lockKey = (id: unknown) => `event:${String(id)}`;

export const newEventId = () => `evt_${randomBytes(10).toString("hex")}`;

export class EventStore {
  readonly events: Collection<EventDoc>;
  readonly locks: DocumentLocks;

  constructor(db: Db) {
    this.events = db.collection<EventDoc>("events");
    this.locks = new DocumentLocks(db);
  }

  /** Indexes for the lifecycle look-ups (lists are the listing's, listing.ts). */
  async ensureIndexes(): Promise<void> {
    await this.events.createIndex({ status: 1, startsAt: 1, _id: 1 });
    await this.events.createIndex({ channelId: 1, startsAt: 1, _id: 1 });
    await this.events.createIndex({ outboxPending: 1 });
  }

  /** Stores a new event with the CloudEvents that announce it. */
  async insert(doc: EventDoc, events: CloudEventV1[]): Promise<void> {
    await this.events.insertOne({ ...doc, ...outboxFields(events) });
  }

  /** As insert, for an id derived from its cause: false when that event exists already. */
  async insertNew(doc: EventDoc, events: CloudEventV1[]): Promise<boolean> {
    try {
      await this.insert(doc, events);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  get(id: string): Promise<EventDoc | null> {
    return this.events.findOne({ _id: id }, { projection: { outbox: 0 } });
  }

  /** Every stored event, `size` at a time (the list's backfill). */
  scan(size = 1000): AsyncGenerator<EventDoc[]> {
    return inBatches(
      this.events
        .find({}, { projection: { outbox: 0, outboxCount: 0, applied: 0 } })
        .batchSize(size),
      size,
    );
  }

  /** One writer at a time per event (see DocumentLocks); `version` guards the rest. */
  withLock<T>(id: string, work: () => Promise<T>): Promise<T> {
    return this.locks.withLock(lockKey(id), work);
  }

  /**
   * Writes a change of `current` with its CloudEvents, if nobody changed the event since it
   * was read (its version is still `current.version`, and no sign of its stream came: a lost
   * stream is not ended once it has been heard of again); false otherwise.
   */
  async save(
    current: EventDoc,
    change: Change,
    events: CloudEventV1[],
    now: Date,
  ): Promise<boolean> {
    const result = await this.events.updateOne(
      { _id: current._id, version: current.version, lastAliveAt: current.lastAliveAt ?? null },
      withOutbox<EventDoc>(
        {
          $set: { ...change.set, version: current.version + 1, updatedAt: now },
          ...(change.applied ? { $addToSet: { applied: change.applied } } : {}),
        },
        events,
      ),
    );
    return result.modifiedCount === 1;
  }

  /** A channel's live event and its scheduled ones within an hour of `now`: the candidates for a stream. */
  async streamCandidates(channelId: string, now: Date): Promise<EventDoc[]> {
    const live = await this.events.findOne(
      { channelId, status: "live" },
      { projection: { outbox: 0 } },
    );
    if (live) return [live];
    const hour = 60 * 60 * 1000;
    return this.events
      .find(
        {
          channelId,
          status: "scheduled",
          startsAt: { $gte: new Date(now.getTime() - hour), $lte: new Date(now.getTime() + hour) },
        },
        { projection: { outbox: 0 } },
      )
      .sort({ startsAt: 1, _id: 1 })
      .limit(20)
      .toArray();
  }

  /**
   * Records that a live event's stream was heard of at `at` (never moving the time back): false
   * when the event is not live, or not on that channel. No new version: nothing to announce.
   */
  async markAlive(id: string, channelId: string, at: Date): Promise<boolean> {
    const result = await this.events.updateOne(
      {
        _id: id,
        channelId,
        status: "live",
        $or: [{ lastAliveAt: null }, { lastAliveAt: { $lt: at } }],
      },
      { $set: { lastAliveAt: at } },
    );
    return result.modifiedCount === 1;
  }

  /** Live events whose stream was last heard of before `before` (domain.streamLost, as a query). */
  unheardLive(before: Date): Promise<EventDoc[]> {
    return this.events
      .find(
        {
          status: "live",
          $or: [
            { lastAliveAt: { $lt: before } },
            { lastAliveAt: null, updatedAt: { $lt: before } },
          ],
        },
        { projection: { outbox: 0 } },
      )
      .limit(1000)
      .toArray();
  }

  /** Events that may be due their reminder (domain.reminderDue, as a query). */
  dueReminders(minutesBefore: number, now: Date): Promise<EventDoc[]> {
    return this.events
      .find(
        {
          status: "scheduled",
          reminderSentAt: null,
          startsAt: { $gt: now, $lte: new Date(now.getTime() + minutesBefore * 60_000) },
        },
        { projection: { outbox: 0 } },
      )
      .limit(1000)
      .toArray();
  }

  /** Queues an event's reminder unless one was queued already (a concurrent run, say). */
  async markReminded(id: string, reminder: CloudEventV1, now: Date): Promise<boolean> {
    const result = await this.events.updateOne(
      { _id: id, reminderSentAt: null },
      withOutbox<EventDoc>({ $set: { reminderSentAt: now } }, [reminder]),
    );
    return result.modifiedCount === 1;
  }
}
