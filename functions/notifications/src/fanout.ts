// The fan-out sink's work (its CloudEvent table is in index.ts): news about an event goes to everyone who
// follows its channel or the event itself (each person once: ListSubscribers merges them),
// as one inbox entry each (written in bulk) and one `notification.created` each (key = the
// user, for the SSE gateways), and a queued mail for those who asked for that kind by email. Redelivery is harmless: entry and CloudEvent ids derive from the
// source event's id and the user, so the inbox refuses the copy and consumers drop the repeat.
// Each notification names the event's channel (asked of accounts once per channel).
import { createEvent, type EventData } from "@stream-platform/shared";
import type { SubscriptionsClient, Target } from "@stream-platform/shared/grpc";
import type { EventPublisher } from "@stream-platform/shared/kafka";
import type { Emailer } from "./emailer.ts";
import type { NotificationKind } from "./schemas.ts";
import type { SettingsStore } from "./settings-store.ts";
import { type InboxEntry, type InboxStore, notificationIdOf } from "./store.ts";

const SOURCE = "/functions/notifications";
const MAX_BATCHES_IN_FLIGHT = 8;

type Snapshot = EventData<"streamplatform.event.updated">;

/** What the fan-out needs of a source event: its id and time (for idempotency) and snapshot. */
export interface EventNews {
  id: string;
  time?: string;
  data: Snapshot;
}

/** A person's inbox entry of `kind` about the event, its id derived from the source and them. */
function entryOf(
  kind: NotificationKind,
  sourceId: string,
  userId: string,
  data: Pick<Snapshot, "eventId" | "title">,
  channelTitle: string | undefined,
  createdAt: Date,
): InboxEntry {
  return {
    _id: notificationIdOf(sourceId, userId),
    userId,
    kind,
    eventId: data.eventId,
    title: data.title,
    ...(channelTitle && { channelTitle }),
    sourceId,
    createdAt,
    readAt: null,
  };
}

/** Recommended events a person is told of in a UTC day, at most. */
export const RECOMMENDED_PER_DAY = 3;

export class Fanout {
  constructor(
    private readonly store: InboxStore,
    private readonly settings: Pick<SettingsStore, "withoutRecommendations">,
    private readonly subscribers: Pick<SubscriptionsClient, "listSubscriberBatches">,
    private readonly publisher: EventPublisher,
    private readonly emailer: Pick<Emailer, "queueFor">,
    /** The channel's title; undefined when there is no such channel (deleted since). */
    private readonly channelTitle: (channelId: string) => Promise<string | undefined>,
  ) {}

  /** Tells the event's followers `kind` of news; returns how many people were told. */
  async notify(kind: NotificationKind, event: EventNews): Promise<number> {
    const data = event.data;
    // An edit is news only when the time moved.
    if (kind === "event.updated" && !data.previousStartsAt) return 0;
    // An event made for a stream nobody scheduled is created live: its event.live, next, is the
    // news ("… is live"), not a "new event" as well.
    if (kind === "event.scheduled" && data.status !== "scheduled") return 0;
    const channelTitle = await this.channelTitle(data.channelId);
    const targets: Target[] = [{ kind: "CHANNEL", id: data.channelId }];
    // Nobody can follow an event before it exists.
    if (kind !== "event.scheduled") targets.push({ kind: "EVENT", id: data.eventId });
    // The source event's time, not now: a redelivery produces the very same notification.
    const createdAt = new Date(event.time ?? Date.now());
    let told = 0;
    // Batches overlap (the next one streams in while earlier ones are written), a few at a time.
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    for await (const batch of this.subscribers.listSubscriberBatches(targets)) {
      const entries = batch.map((userId) =>
        entryOf(kind, event.id, userId, data, channelTitle, createdAt),
      );
      const work: Promise<void> = this.deliver(kind, entries, createdAt)
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
      told += entries.length;
      if (inFlight.size >= MAX_BATCHES_IN_FLIGHT) await Promise.race(inFlight);
      if (failure) break;
    }
    await Promise.all(inFlight);
    // One failed batch fails the delivery: it is retried whole (every write is idempotent).
    if (failure) throw failure;
    return told;
  }

  /**
   * An event the recommendations function finds like what these people watch: each is told,
   * unless they turned recommendations off or were told of RECOMMENDED_PER_DAY today. One
   * notification per event and person (its id derives from the event, not the CloudEvent), so
   * a redelivery, or the person in another batch of it, tells nobody twice. Returns how many
   * were told.
   */
  async recommend(event: EventNews & { data: { userIds: string[] } }): Promise<number> {
    const { userIds, ...data } = event.data;
    const createdAt = new Date(event.time ?? Date.now());
    const dayStart = new Date(createdAt);
    dayStart.setUTCHours(0, 0, 0, 0);
    const [off, today] = await Promise.all([
      this.settings.withoutRecommendations(userIds),
      this.store.countsSince(userIds, "event.recommended", dayStart),
    ]);
    const told = userIds.filter(
      (userId) => !off.has(userId) && (today.get(userId) ?? 0) < RECOMMENDED_PER_DAY,
    );
    if (told.length === 0) return 0;
    const channelTitle = await this.channelTitle(data.channelId);
    const sourceId = `recommended/${data.eventId}`;
    await this.deliver(
      "event.recommended",
      told.map((userId) =>
        entryOf("event.recommended", sourceId, userId, data, channelTitle, createdAt),
      ),
      createdAt,
    );
    return told.length;
  }

  /**
   * A batch's inbox entries and CloudEvents, side by side. A notification may reach a browser
   * a moment before its entry is in the inbox; if either write fails, the delivery fails and is
   * retried, and both are idempotent. Published even for entries a previous delivery wrote: it
   * may have crashed before publishing.
   */
  private async deliver(kind: NotificationKind, entries: InboxEntry[], createdAt: Date) {
    await Promise.all([
      this.store.insertNew(entries),
      // Mail for those who asked for this kind, queued under the entry's id: queued once.
      this.emailer.queueFor(kind, entries),
      this.publisher.publish(
        entries.map((entry) =>
          createEvent({
            id: entry._id,
            type: "streamplatform.notification.created",
            source: SOURCE,
            subject: entry.userId,
            data: {
              notificationId: entry._id,
              userId: entry.userId,
              kind,
              eventId: entry.eventId,
              title: entry.title,
              ...(entry.channelTitle && { channelTitle: entry.channelTitle }),
              createdAt: createdAt.toISOString(),
            },
          }),
        ),
      ),
    ]);
  }
}
