// How an event is shown: the API's view (shared with the web app) and the snapshot every
// event.* CloudEvent carries.
import { type CloudEventV1, createEvent, type EventData } from "@stream-platform/shared";
import { posterOf, type VideoEvent } from "@stream-platform/shared/api";
import type { LifecycleType } from "./domain.ts";
import type { EventDoc } from "./store.ts";

export type { VideoEvent } from "@stream-platform/shared/api";

export const SOURCE = "/functions/events";

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
    ...(doc.startedAt && { startedAt: doc.startedAt.toISOString() }),
    ...(doc.endsAt && { endsAt: doc.endsAt.toISOString() }),
    status: doc.status,
    version: doc.version,
    ...(doc.vodPath && { vodPath: doc.vodPath }),
    ...posterOf(doc),
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

export type Snapshot = EventData<"streamplatform.event.created">;

/** The state every event.* CloudEvent carries: all the API shows (viewOf gives it back). */
export function snapshot(doc: EventDoc): Snapshot {
  const view = toView(doc);
  return {
    eventId: view.id,
    channelId: view.channelId,
    ownerId: view.ownerId,
    title: view.title,
    description: view.description,
    tags: view.tags,
    ...(view.category !== undefined && { category: view.category }),
    startsAt: view.startsAt,
    ...(view.startedAt && { startedAt: view.startedAt }),
    ...(view.endsAt && { endsAt: view.endsAt }),
    status: view.status,
    version: view.version,
    ...(view.vodPath && { vodPath: view.vodPath }),
    ...(doc.posterPath && { posterPath: doc.posterPath }),
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

/**
 * The API's view of the event a snapshot describes, as toView gives it; undefined for a snapshot
 * published before snapshots carried the owner and the times (the list's backfill has those).
 */
export function viewOf(data: Snapshot): VideoEvent | undefined {
  const { ownerId, createdAt, updatedAt } = data;
  if (!ownerId || !createdAt || !updatedAt) return undefined;
  return {
    id: data.eventId,
    channelId: data.channelId,
    ownerId,
    title: data.title,
    description: data.description ?? "",
    tags: data.tags ?? [],
    ...(data.category !== undefined && { category: data.category }),
    startsAt: data.startsAt,
    ...(data.startedAt && { startedAt: data.startedAt }),
    ...(data.endsAt && { endsAt: data.endsAt }),
    status: data.status,
    version: data.version,
    ...(data.vodPath && { vodPath: data.vodPath }),
    ...posterOf(data),
    createdAt,
    updatedAt,
  };
}

/** The CloudEvent announcing `doc`'s new state (with the old time, when it moved; why it ended). */
export function lifecycleEvent(
  type: LifecycleType,
  doc: EventDoc,
  before?: EventDoc,
  reason?: "lost",
): CloudEventV1 {
  const moved = before && before.startsAt.getTime() !== doc.startsAt.getTime();
  return createEvent({
    type,
    source: SOURCE,
    subject: doc._id,
    data: {
      ...snapshot(doc),
      ...(moved && { previousStartsAt: before.startsAt.toISOString() }),
      ...(reason && { reason }),
    },
  });
}
