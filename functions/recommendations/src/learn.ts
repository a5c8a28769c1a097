// What the recommendations function learns from the platform's CloudEvents, into its store:
// events' snapshots (what can be recommended), people's history (what they watched, as
// analytics computed it), follows (subscriptions to channels), and forgetting (a cleared
// history, a deleted account or event). Each write is idempotent and order-proof (store.ts).
import {
  type CloudEventV1,
  createEvent,
  type EventData,
  type PlatformEvent,
} from "@stream-platform/shared";
import type { ItemInput } from "./model.ts";
import type { RecommendationStore } from "./store.ts";

type Snapshot = EventData<"streamplatform.event.updated">;

/** Who is told of a new event like what they watch: this much of its category in 30 days. */
export const KEEN_SECONDS = 120;
const KEEN_WINDOW_MS = 30 * 24 * 3_600_000;
/** People per event.recommended CloudEvent (its schema's limit). */
const PER_EVENT = 1_000;
const SOURCE = "/functions/recommendations";

/** What the ranking reads of an event's snapshot. */
const itemOf = (data: Snapshot): ItemInput => ({
  id: data.eventId,
  title: data.title,
  channelId: data.channelId,
  ...(data.category && { category: data.category }),
  tags: data.tags ?? [],
  status: data.status,
  startsAt: Date.parse(data.startsAt),
});

export class Learner {
  constructor(
    private readonly store: RecommendationStore,
    /** Where event.recommended goes (Kafka); a failure fails the delivery, which comes again. */
    private readonly tell: (events: CloudEventV1[]) => Promise<void>,
    private readonly now = () => Date.now(),
  ) {}

  /**
   * A new event (event.created, scheduled or live at once): learnt, and recommended to those
   * who watch its category and do not follow its channel (its followers hear of it anyway).
   * The CloudEvents' ids derive from the source's, so a redelivery tells nobody twice.
   */
  async created(event: PlatformEvent<"streamplatform.event.created">): Promise<void> {
    await this.snapshot(event.data);
    const { category, channelId } = event.data;
    if (!category) return;
    const since = new Date(this.now() - KEEN_WINDOW_MS);
    const people = await this.store.audience(category, channelId, since, KEEN_SECONDS);
    const batches: CloudEventV1[] = [];
    for (let i = 0; i < people.length; i += PER_EVENT)
      batches.push(
        createEvent({
          id: `${event.id}/recommended/${i / PER_EVENT}`,
          type: "streamplatform.event.recommended",
          source: SOURCE,
          subject: event.data.eventId,
          data: { ...event.data, userIds: people.slice(i, i + PER_EVENT) },
        }),
      );
    if (batches.length > 0) await this.tell(batches);
  }

  /** An event was created or changed: what the ranking reads of it. */
  snapshot(data: Snapshot): Promise<void> {
    return this.store.putItem(itemOf(data), data.version);
  }

  /** The event is gone (its owner's account was deleted): never recommended again. */
  gone(data: Snapshot): Promise<void> {
    // A version above any the events function will write: no late snapshot brings it back.
    return this.store.putItem({ ...itemOf(data), status: "cancelled" }, Number.MAX_SAFE_INTEGER);
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
