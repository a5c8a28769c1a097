// Video events in MongoDB (FerretDB locally). Every change is one document update that also
// bumps `version` and queues the matching CloudEvent in the document's outbox, so the event
// exists exactly when the change does (shared/src/mongodb/outbox.ts).
import { randomBytes } from "node:crypto";
import {
  adHocEventId,
  type CloudEventV1,
  createEvent,
  type EventData,
  type EventType,
  HttpProblem,
} from "@stream-platform/shared";
import type { VideoEvent } from "@stream-platform/shared/api";
import {
  DocumentLocks,
  isDuplicateKey,
  outboxFields,
  type WithOutbox,
  withOutbox,
} from "@stream-platform/shared/mongodb";
import type { Collection, Db, Filter } from "mongodb";
import type { CreateEvent, ListQuery, PatchEvent, Status } from "./schemas.ts";
import { TRANSITIONS } from "./schemas.ts";

const SOURCE = "/functions/events";

/** The stored document: the API's view with real dates, its id as `_id`, and internals. */
export interface EventDoc
  extends Omit<VideoEvent, "id" | "startsAt" | "endsAt" | "createdAt" | "updatedAt" | "status">,
    WithOutbox {
  _id: string;
  status: Status;
  startsAt: Date;
  endsAt?: Date;
  createdAt: Date;
  updatedAt: Date;
  /** Set when event.reminder was queued; cleared when the event is moved to another time. */
  reminderSentAt?: Date | null;
  /** Ids of the stream CloudEvents already applied (idempotency on redelivery). */
  applied: string[];
}

/** What clients see (the API's view, shared with the web app). */
export type { VideoEvent } from "@stream-platform/shared/api";

export function toView(doc: EventDoc): VideoEvent {
  return {
    id: doc._id,
    channelId: doc.channelId,
    ownerId: doc.ownerId,
    title: doc.title,
    description: doc.description,
    tags: doc.tags,
    ...(doc.category !== undefined && { category: doc.category }),
    startsAt: doc.startsAt.toISOString(),
    ...(doc.endsAt && { endsAt: doc.endsAt.toISOString() }),
    status: doc.status,
    version: doc.version,
    ...(doc.vodPath && { vodPath: doc.vodPath }),
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

function snapshot(doc: EventDoc): EventData<"streamplatform.event.created"> {
  const view = toView(doc);
  return {
    eventId: view.id,
    channelId: view.channelId,
    title: view.title,
    description: view.description,
    tags: view.tags,
    ...(view.category !== undefined && { category: view.category }),
    startsAt: view.startsAt,
    ...(view.endsAt && { endsAt: view.endsAt }),
    status: view.status,
    version: view.version,
    ...(view.vodPath && { vodPath: view.vodPath }),
  };
}

type LifecycleType = Exclude<
  Extract<EventType, `streamplatform.event.${string}`>,
  "streamplatform.event.reminder"
>;

function lifecycleEvent(type: LifecycleType, doc: EventDoc, before?: EventDoc): CloudEventV1 {
  const moved = before && before.startsAt.getTime() !== doc.startsAt.getTime();
  return createEvent({
    type,
    source: SOURCE,
    subject: doc._id,
    data: { ...snapshot(doc), ...(moved && { previousStartsAt: before.startsAt.toISOString() }) },
  });
}

/** The lock every writer of an event document takes (store, relay). */
export const lockKey = (id: unknown) => `event:${String(id)}`;

export const newEventId = () => `evt_${randomBytes(10).toString("hex")}`;

interface Cursor {
  startsAt: string;
  id: string;
}

export const encodeCursor = (doc: EventDoc) =>
  Buffer.from(
    JSON.stringify({ startsAt: doc.startsAt.toISOString(), id: doc._id } satisfies Cursor),
  ).toString("base64url");

function decodeCursor(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Cursor;
    if (typeof value.id === "string" && !Number.isNaN(Date.parse(value.startsAt))) return value;
  } catch {
    // fall through
  }
  throw new HttpProblem({
    status: 400,
    title: "Invalid request",
    detail: "cursor: not a cursor this API gave",
    errors: [{ field: "cursor", detail: "not a cursor this API gave" }],
  });
}

export class EventStore {
  readonly events: Collection<EventDoc>;
  readonly locks: DocumentLocks;

  constructor(db: Db) {
    this.events = db.collection<EventDoc>("events");
    this.locks = new DocumentLocks(db);
  }

  /** Indexes for the list queries and the lifecycle look-ups. */
  async ensureIndexes(): Promise<void> {
    await this.events.createIndex({ startsAt: 1, _id: 1 });
    await this.events.createIndex({ status: 1, startsAt: 1, _id: 1 });
    await this.events.createIndex({ channelId: 1, startsAt: 1, _id: 1 });
    await this.events.createIndex({ outboxPending: 1 });
  }

  async create(ownerId: string, input: CreateEvent, now = new Date()): Promise<EventDoc> {
    const doc: EventDoc = {
      _id: newEventId(),
      channelId: input.channelId,
      ownerId,
      title: input.title,
      description: input.description,
      tags: input.tags,
      ...(input.category !== undefined && { category: input.category }),
      startsAt: new Date(input.startsAt),
      ...(input.endsAt && { endsAt: new Date(input.endsAt) }),
      status: "scheduled",
      version: 1,
      createdAt: now,
      updatedAt: now,
      applied: [],
    };
    await this.events.insertOne({
      ...doc,
      ...outboxFields([lifecycleEvent("streamplatform.event.created", doc)]),
    });
    return doc;
  }

  get(id: string): Promise<EventDoc | null> {
    return this.events.findOne({ _id: id }, { projection: { outbox: 0 } });
  }

  /** Keyset pagination on (startsAt, id): stable while events are added. */
  async list(query: ListQuery): Promise<{ items: EventDoc[]; nextCursor?: string }> {
    // One flat filter: FerretDB pushes top-level equalities down to PostgreSQL, not ones
    // nested in $and.
    const filter: Filter<EventDoc> = {};
    if (query.status) filter.status = query.status;
    if (query.channelId) filter.channelId = query.channelId;
    if (query.from || query.to) {
      filter.startsAt = {
        ...(query.from && { $gte: new Date(query.from) }),
        ...(query.to && { $lt: new Date(query.to) }),
      };
    }
    const direction = query.order === "desc" ? -1 : 1;
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      const at = new Date(after.startsAt);
      const beyond = direction === 1 ? "$gt" : "$lt";
      filter.$or = [{ startsAt: { [beyond]: at } }, { startsAt: at, _id: { [beyond]: after.id } }];
    }
    const items = await this.events
      .find(filter, { projection: { outbox: 0, outboxCount: 0, applied: 0 } })
      .sort({ startsAt: direction, _id: direction })
      .limit(query.limit + 1)
      .toArray();
    const more = items.length > query.limit;
    const page = items.slice(0, query.limit);
    const last = page[page.length - 1];
    return { items: page, ...(more && last && { nextCursor: encodeCursor(last) }) };
  }

  /**
   * Applies a change computed from the current document, atomically with its CloudEvent:
   * optimistic on `version`, retried if someone else changed the event meanwhile. Returns the
   * new document, or null when `change` decided there is nothing to do.
   */
  async change(
    id: string,
    change: (
      doc: EventDoc,
    ) => { set: Partial<EventDoc>; type: LifecycleType; applied?: string } | null,
  ): Promise<EventDoc | null> {
    // One writer at a time per event (see DocumentLocks); `version` guards the rest.
    return this.locks.withLock(lockKey(id), async () => {
      for (let attempt = 0; attempt < 10; attempt++) {
        const current = await this.events.findOne({ _id: id }, { projection: { outbox: 0 } });
        if (!current) return null;
        const next = change(current);
        if (!next) return null;
        const updated: EventDoc = {
          ...current,
          ...next.set,
          version: current.version + 1,
          updatedAt: new Date(),
        };
        const event = lifecycleEvent(next.type, updated, current);
        const result = await this.events.updateOne(
          { _id: id, version: current.version },
          withOutbox<EventDoc>(
            {
              $set: { ...next.set, version: updated.version, updatedAt: updated.updatedAt },
              ...(next.applied ? { $addToSet: { applied: next.applied } } : {}),
            },
            [event],
          ),
        );
        if (result.modifiedCount === 1) return updated;
      }
      throw new HttpProblem({
        status: 409,
        title: "Conflict",
        detail: "the event keeps changing; try again",
      });
    });
  }

  /** An owner's edit: fields, and a status change if the transition is allowed. */
  async patch(doc: EventDoc, patch: PatchEvent): Promise<EventDoc | null> {
    return this.change(doc._id, (current) => {
      if (patch.status && !TRANSITIONS[current.status].includes(patch.status)) {
        throw new HttpProblem({
          status: 400,
          title: "Invalid request",
          detail: `status: an event that is ${current.status} cannot become ${patch.status}`,
          errors: [
            { field: "status", detail: `${current.status} → ${patch.status} is not allowed` },
          ],
        });
      }
      const editsFields = Object.keys(patch).some((key) => key !== "status");
      if (editsFields && (current.status === "ended" || current.status === "cancelled")) {
        throw new HttpProblem({
          status: 409,
          title: "Conflict",
          detail: `the event is ${current.status}: it can no longer change`,
        });
      }
      const set: Partial<EventDoc> = {
        ...(patch.title !== undefined && { title: patch.title }),
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.tags !== undefined && { tags: patch.tags }),
        ...(patch.category !== undefined && { category: patch.category }),
        // A new time deserves a new reminder.
        ...(patch.startsAt !== undefined && {
          startsAt: new Date(patch.startsAt),
          reminderSentAt: null,
        }),
        ...(patch.endsAt !== undefined && { endsAt: new Date(patch.endsAt) }),
        ...(patch.status !== undefined && { status: patch.status }),
      };
      const startsAt = set.startsAt ?? current.startsAt;
      const endsAt = set.endsAt ?? current.endsAt;
      if (endsAt && endsAt <= startsAt) {
        throw new HttpProblem({
          status: 400,
          title: "Invalid request",
          detail: "endsAt: must be after startsAt",
          errors: [{ field: "endsAt", detail: "must be after startsAt" }],
        });
      }
      const type: LifecycleType =
        patch.status === "cancelled"
          ? "streamplatform.event.cancelled"
          : patch.status === "live"
            ? "streamplatform.event.live"
            : patch.status === "ended"
              ? "streamplatform.event.ended"
              : "streamplatform.event.updated";
      return { set, type };
    });
  }

  /** The live event of a channel, else its scheduled one nearest to now within an hour. */
  async current(channelId: string, now = new Date()): Promise<EventDoc | null> {
    const live = await this.events.findOne(
      { channelId, status: "live" },
      { projection: { outbox: 0 } },
    );
    if (live) return live;
    const hour = 60 * 60 * 1000;
    const candidates = await this.events
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
    const distance = (doc: EventDoc) => Math.abs(doc.startsAt.getTime() - now.getTime());
    return candidates.sort((a, b) => distance(a) - distance(b))[0] ?? null;
  }

  /** An event for a stream nobody scheduled: live from the start, id derived from the stream event. */
  async createAdHoc(
    streamEventId: string,
    channelId: string,
    ownerId: string,
    startedAt: Date,
  ): Promise<EventDoc | null> {
    const now = new Date();
    const doc: EventDoc = {
      _id: adHocEventId(streamEventId),
      channelId,
      ownerId,
      title: "Live now",
      description: "",
      tags: [],
      startsAt: startedAt,
      status: "live",
      version: 1,
      createdAt: now,
      updatedAt: now,
      applied: [streamEventId],
    };
    try {
      await this.events.insertOne({
        ...doc,
        ...outboxFields([
          lifecycleEvent("streamplatform.event.created", doc),
          lifecycleEvent("streamplatform.event.live", doc),
        ]),
      });
      return doc;
    } catch (error) {
      // The same stream.started delivered again: the event exists already.
      if (isDuplicateKey(error)) return null;
      throw error;
    }
  }

  /**
   * Queues `event.reminder` once per event starting within `minutesBefore`: the conditional
   * update on `reminderSentAt` makes a second run (or a concurrent one) find nothing to do.
   */
  async sendReminders(minutesBefore: number, now = new Date()): Promise<number> {
    const due = await this.events
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
    let sent = 0;
    for (const candidate of due) {
      // Under the event's lock, and re-read: another run may have sent it meanwhile.
      sent += await this.locks.withLock(lockKey(candidate._id), async () => {
        const doc = await this.events.findOne(
          { _id: candidate._id, status: "scheduled", reminderSentAt: null },
          { projection: { outbox: 0 } },
        );
        if (!doc) return 0;
        const reminder = createEvent({
          type: "streamplatform.event.reminder",
          source: SOURCE,
          subject: doc._id,
          // Deterministic: a reminder is the same CloudEvent however often it is queued.
          id: `reminder-${doc._id}-${doc.startsAt.toISOString()}`,
          data: { ...snapshot(doc), minutesBefore },
        });
        const result = await this.events.updateOne(
          { _id: doc._id, reminderSentAt: null },
          withOutbox<EventDoc>({ $set: { reminderSentAt: now } }, [reminder]),
        );
        return result.modifiedCount;
      });
    }
    return sent;
  }
}
