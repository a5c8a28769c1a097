// A deleted account's events go with it (user.deleted): each one still scheduled or live is
// announced cancelled (its followers are told), then every one is announced deleted (search
// drops it) and removed, from the store and the list. The CloudEvents are published before the
// documents go, so a crash in between repeats them on redelivery (consumers are idempotent)
// instead of losing them.
import { createEvent, log } from "@stream-platform/shared";
import type { EventPublisher } from "@stream-platform/shared/kafka";
import type { EventListing } from "./listing.ts";
import type { EventDoc, EventStore } from "./store.ts";
import { SOURCE, snapshot } from "./views.ts";

export async function eraseOwner(
  store: EventStore,
  listing: EventListing,
  publisher: EventPublisher,
  ownerId: string,
): Promise<number> {
  const owned = await store.events
    .find({ ownerId }, { projection: { _id: 1 } })
    .map((doc) => doc._id)
    .toArray();
  for (const id of owned)
    await store.withLock(id, async () => {
      const doc = await store.get(id);
      if (!doc) return;
      const announce = (
        type: "streamplatform.event.cancelled" | "streamplatform.event.deleted",
        state: EventDoc,
      ) => createEvent({ type, source: SOURCE, subject: id, data: snapshot(state) });
      const open = doc.status === "scheduled" || doc.status === "live";
      const cancelled: EventDoc = { ...doc, status: "cancelled", version: doc.version + 1 };
      const last = open ? cancelled : doc;
      const deleted = { ...last, version: last.version + 1 };
      await publisher.publish([
        ...(open ? [announce("streamplatform.event.cancelled", cancelled)] : []),
        announce("streamplatform.event.deleted", deleted),
      ]);
      await store.events.deleteOne({ _id: id });
      // Gone from the list at once too, if it can (event.deleted takes it out a moment later).
      await listing.record([{ data: snapshot(deleted), deleted: true }]).catch((error: unknown) =>
        log({
          level: "warn",
          msg: "events list: a deletion waits for its CloudEvent",
          id,
          error: String(error),
        }),
      );
    });
  return owned.length;
}
