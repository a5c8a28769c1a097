// What the recommendations function learns from the platform's CloudEvents, into its store:
// events' snapshots (what can be recommended), people's history (what they watched, as
// analytics computed it), follows (subscriptions to channels), and forgetting (a cleared
// history, a deleted account or event). Each write is idempotent and order-proof (store.ts).
import type { EventData, PlatformEvent } from "@stream-platform/shared";
import type { RecommendationStore } from "./store.ts";

type Snapshot = EventData<"streamplatform.event.updated">;

export class Learner {
  constructor(private readonly store: RecommendationStore) {}

  /** An event was created or changed: what the ranking reads of it. */
  snapshot(data: Snapshot): Promise<void> {
    return this.store.putItem(
      {
        id: data.eventId,
        title: data.title,
        channelId: data.channelId,
        ...(data.category && { category: data.category }),
        tags: data.tags ?? [],
        status: data.status,
        startsAt: Date.parse(data.startsAt),
      },
      data.version,
    );
  }

  /** The event is gone (its owner's account was deleted): never recommended again. */
  gone(data: Snapshot): Promise<void> {
    // A version above any the events function will write: no late snapshot brings it back.
    return this.store.putItem(
      {
        id: data.eventId,
        title: data.title,
        channelId: data.channelId,
        tags: [],
        status: "cancelled",
        startsAt: Date.parse(data.startsAt),
      },
      Number.MAX_SAFE_INTEGER,
    );
  }

  watched(data: EventData<"streamplatform.history.updated">): Promise<void> {
    return this.store.putView({
      personId: data.userId,
      eventId: data.eventId,
      seconds: data.watchedSeconds,
      at: Date.parse(data.updatedAt),
    });
  }

  cleared(data: EventData<"streamplatform.history.cleared">): Promise<void> {
    return this.store.clear(data.userId, new Date(data.clearedAt), data.eventId);
  }

  /** A follow or an unfollow of a channel (subscriptions to events tell nothing of taste). */
  subscription(
    event: PlatformEvent<
      "streamplatform.subscription.created" | "streamplatform.subscription.deleted"
    >,
  ): Promise<void> {
    const { userId, target } = event.data;
    if (target.kind !== "channel") return Promise.resolve();
    return this.store.putFollow(
      userId,
      target.id,
      event.type === "streamplatform.subscription.created",
      new Date(event.time ?? 0),
    );
  }

  forget(data: EventData<"streamplatform.user.deleted">): Promise<void> {
    return this.store.forgetPerson(data.userId, new Date(data.deletedAt));
  }
}
