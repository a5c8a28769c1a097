// Runs the events' commands: reads an event, asks the domain what the command changes, and
// stores that change with its CloudEvent, under the event's lock and on its version (retried
// when another writer got in between). Everything here is plumbing; the rules are domain.ts's.
import { adHocEventId, createEvent } from "@stream-platform/shared";
import {
  type Command,
  currentEvent,
  decide,
  reminderDue,
  schedule,
  startUnscheduled,
} from "./domain.ts";
import type { CreateEvent } from "./schemas.ts";
import { type EventDoc, type EventStore, newEventId } from "./store.ts";
import { lifecycleEvent, SOURCE, snapshot } from "./views.ts";

const ATTEMPTS = 10;

/** Another writer kept changing the event: the command was not applied. */
export class ConcurrentChange extends Error {}

export class EventCommands {
  constructor(
    readonly store: EventStore,
    private readonly now = () => new Date(),
  ) {}

  async schedule(ownerId: string, input: CreateEvent): Promise<EventDoc> {
    const now = this.now();
    const { state, emits } = schedule(
      {
        _id: newEventId(),
        channelId: input.channelId,
        ownerId,
        title: input.title,
        description: input.description,
        tags: input.tags,
        ...(input.category !== undefined && { category: input.category }),
        startsAt: new Date(input.startsAt),
        ...(input.endsAt && { endsAt: new Date(input.endsAt) }),
        version: 1,
        createdAt: now,
        updatedAt: now,
      },
      now,
    );
    await this.store.insert(
      state,
      emits.map((type) => lifecycleEvent(type, state)),
    );
    return state;
  }

  /**
   * A live event for a stream nobody scheduled, its id derived from the stream CloudEvent's:
   * null when a redelivery of that CloudEvent made it already.
   */
  async startUnscheduled(
    streamEventId: string,
    channelId: string,
    ownerId: string,
    startedAt: Date,
  ): Promise<EventDoc | null> {
    const now = this.now();
    const { state, emits } = startUnscheduled(
      {
        _id: adHocEventId(streamEventId),
        channelId,
        ownerId,
        startsAt: startedAt,
        version: 1,
        createdAt: now,
        updatedAt: now,
      },
      streamEventId,
    );
    const stored = await this.store.insertNew(
      state,
      emits.map((type) => lifecycleEvent(type, state)),
    );
    return stored ? state : null;
  }

  /** Applies a command: the event after it (unchanged if it changed nothing), or null if none. */
  run(id: string, command: Command): Promise<EventDoc | null> {
    return this.store.withLock(id, async () => {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const current = await this.store.get(id);
        if (!current) return null;
        const change = decide(current, command);
        if (!change) return current;
        const now = this.now();
        const next: EventDoc = { ...change.state, version: current.version + 1, updatedAt: now };
        const event = lifecycleEvent(change.emits, next, current);
        if (await this.store.save(current, change, [event], now)) return next;
      }
      throw new ConcurrentChange("the event keeps changing; try again");
    });
  }

  /** The event a stream on the channel belongs to (domain.currentEvent). */
  async current(channelId: string): Promise<EventDoc | null> {
    const now = this.now();
    return currentEvent(await this.store.streamCandidates(channelId, now), now);
  }

  /**
   * Queues `event.reminder` once per event starting within `minutesBefore`: re-read under the
   * event's lock, and conditional on `reminderSentAt`, so a second run (or a concurrent one)
   * finds nothing to do.
   */
  async sendReminders(minutesBefore: number): Promise<number> {
    const now = this.now();
    let sent = 0;
    for (const candidate of await this.store.dueReminders(minutesBefore, now)) {
      const queued = await this.store.withLock(candidate._id, async () => {
        const doc = await this.store.get(candidate._id);
        if (!doc || !reminderDue(doc, minutesBefore, now)) return false;
        const reminder = createEvent({
          type: "streamplatform.event.reminder",
          source: SOURCE,
          subject: doc._id,
          // Deterministic: a reminder is the same CloudEvent however often it is queued.
          id: `reminder-${doc._id}-${doc.startsAt.toISOString()}`,
          data: { ...snapshot(doc), minutesBefore },
        });
        return this.store.markReminded(doc._id, reminder, now);
      });
      if (queued) sent += 1;
    }
    return sent;
  }
}
