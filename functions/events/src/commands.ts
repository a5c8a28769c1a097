// Runs the events' commands: reads an event, asks the domain what the command changes, and
// stores that change with its CloudEvent, under the event's lock and on its version (retried
// when another writer got in between). Everything here is plumbing; the rules are domain.ts's.
import { adHocEventId, createEvent } from "@stream-platform/shared";
import {
  type Command,
  currentEvent,
  decide,
  LOST_AFTER_MS,
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
  /** `saved` hears of every event the commands stored, as stored (the list shows it at once). */
  constructor(
    readonly store: EventStore,
    private readonly saved: (doc: EventDoc) => Promise<void> = async () => {},
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
    await this.saved(state);
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
    if (!stored) return null;
    await this.saved(state);
    return state;
  }

  /** Applies a command: the event after it (unchanged if it changed nothing), or null if none. */
  async run(id: string, command: Command): Promise<EventDoc | null> {
    return (await this.apply(id, command))?.doc ?? null;
  }

  /** As run, also saying whether the command changed the event. */
  private apply(id: string, command: Command): Promise<{ doc: EventDoc; changed: boolean } | null> {
    return this.store.withLock(id, async () => {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const current = await this.store.get(id);
        if (!current) return null;
        const change = decide(current, command);
        if (!change) return { doc: current, changed: false };
        const now = this.now();
        const next: EventDoc = { ...change.state, version: current.version + 1, updatedAt: now };
        const event = lifecycleEvent(change.emits, next, current, change.reason);
        if (await this.store.save(current, change, [event], now)) {
          await this.saved(next);
          return { doc: next, changed: true };
        }
      }
      throw new ConcurrentChange("the event keeps changing; try again");
    });
  }

  /** The event's stream was heard of now (stream.started, stream.alive): false if it is not live. */
  alive(id: string, channelId: string): Promise<boolean> {
    return this.store.markAlive(id, channelId, this.now());
  }

  /**
   * Ends every live event whose stream went unheard for LOST_AFTER_MS (domain.streamLost) as a
   * stream.ended would, announced by event.ended with reason "lost"; how many it ended. Each is
   * re-read and decided under its lock, and written only if no sign of life came since (the
   * store's save), so a second or concurrent run ends nothing twice.
   */
  async endLostStreams(): Promise<number> {
    const now = this.now();
    let ended = 0;
    for (const candidate of await this.store.unheardLive(new Date(now.getTime() - LOST_AFTER_MS))) {
      const result = await this.apply(candidate._id, { kind: "stream.lost", at: now });
      if (result?.changed) ended += 1;
    }
    return ended;
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
