// Events the events API refuses to make, for tests: a start time in the past. Written straight
// into the events function's store, as functions/events/src/store.ts keeps an event (a document
// per event in the `events` collection), with its event.created CloudEvent in the document's
// outbox: the function's relay publishes it within a sweep (10 s), so search indexes it and the
// events' list shows it (as after a crash between the store's write and the list's).
import { randomBytes } from "node:crypto";
import { createEvent } from "../cloudevents/platform-event.ts";
import { createMongoClient, outboxFields } from "../mongodb/index.ts";

export interface StoredEvent {
  channelId: string;
  ownerId: string;
  title: string;
  startsAt: Date;
  tags?: string[];
}

/** Stores a scheduled event as the events function would have on `createdAt`; its id. */
export async function storeScheduledEvent(
  event: StoredEvent,
  createdAt = new Date(event.startsAt.getTime() - 24 * 3_600_000),
): Promise<string> {
  const id = `evt_${randomBytes(10).toString("hex")}`;
  const data = {
    eventId: id,
    channelId: event.channelId,
    ownerId: event.ownerId,
    title: event.title,
    description: "",
    tags: event.tags ?? [],
    startsAt: event.startsAt.toISOString(),
    status: "scheduled" as const,
    version: 1,
    createdAt: createdAt.toISOString(),
    updatedAt: createdAt.toISOString(),
  };
  const created = createEvent({
    type: "streamplatform.event.created",
    source: "/functions/events",
    subject: id,
    data,
  });
  const mongo = createMongoClient();
  try {
    await mongo
      .db(process.env.EVENTS_DB ?? "events")
      .collection("events")
      .insertOne({
        _id: id as never,
        channelId: event.channelId,
        ownerId: event.ownerId,
        title: event.title,
        description: "",
        tags: data.tags,
        startsAt: event.startsAt,
        status: "scheduled",
        version: 1,
        applied: [],
        createdAt,
        updatedAt: createdAt,
        ...outboxFields([created]),
      });
  } finally {
    await mongo.close();
  }
  return id;
}
