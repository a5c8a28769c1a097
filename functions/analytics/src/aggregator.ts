// The aggregation sink (KafkaSource on viewer-activity and streams). Deliveries that arrive
// while a batch is being written queue up and go together in the next one (up to MAX_BATCH
// events), so one process keeps up with many thousands of beats a second whether Knative
// posts them one at a time or local/ posts them in batches; each delivery is answered when its
// batch is stored. Batches are applied one after another: this is the only writer of `stats`
// (the manifest allows one instance), which FerretDB's non-atomic updates require.
//
// Per batch: journal it (with its events), insert its beats (duplicates refused: a redelivered
// beat counts nothing), insert first-time viewers, then one update per event with the sums, and
// close the journal entry; a crash in between is undone at the next start (see store.ts), a
// failure before the next batch, and the redelivery applies the batch. Concurrency is kept in
// memory (who beat in the last 30 s) and written as a figure; after a restart it is whole again
// within one heartbeat interval.
import { randomBytes } from "node:crypto";
import { BoundedMap, log, permits } from "@stream-platform/shared";
import type { EventDirectory, EventOwner } from "./events.ts";
import {
  type Beat,
  EventFigures,
  type FigureUpdate,
  type Heartbeat,
  type StreamChange,
  toBeat,
} from "./figures.ts";
import { Pace } from "./pace.ts";
import type { AnalyticsStore, ViewerDoc } from "./store.ts";

const MAX_BATCH = 20_000;
/** Viewers remembered as counted: those watching now, so their beats ask the store nothing. */
const REMEMBERED_VIEWERS = 200_000;
const EVENT_UPDATES_IN_FLIGHT = 8;
const SWEEP_MS = 5000;
/** An event nobody watched for this long is dropped from memory (reloaded if needed). */
const IDLE_EVENT_MS = 10 * 60_000;

/** What the aggregation sink is handed. */
export type ActivityEvent = Heartbeat | StreamChange;

export class Aggregator {
  private readonly events = new Map<string, EventFigures>();
  private readonly queue: { events: ActivityEvent[]; done: (error?: unknown) => void }[] = [];
  private draining = false;
  private chain: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  /** A batch failed part way and is still journalled: recover before the next one. */
  private unsettled = false;
  /** Beats of events nobody knows. */
  dropped = 0;
  /** Beats without a valid view token. */
  refused = 0;
  /** Beats past their session's pace. */
  overPace = 0;
  private readonly pace = new Pace();
  /** Viewers known to be counted (event/viewer), the least recently seen forgotten. */
  private readonly counted: BoundedMap<string, true>;
  /** Channels of deleted accounts (the event directory still names them for a while). */
  private readonly forgotten = new BoundedMap<string, true>(10_000);

  constructor(
    private readonly store: AnalyticsStore,
    private readonly directory: Pick<EventDirectory, "lookup">,
    private readonly now = () => Date.now(),
    rememberedViewers = REMEMBERED_VIEWERS,
  ) {
    this.counted = new BoundedMap(rememberedViewers);
  }

  /** How many viewers are remembered as counted (at most `rememberedViewers`). */
  get remembered(): number {
    return this.counted.size;
  }

  /** Resolves once the events are applied (or known to have been); rejects if that failed. */
  submit(events: ActivityEvent[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, done: (error) => (error ? reject(error) : resolve()) });
      void this.drain();
    });
  }

  /**
   * Undoes what a crashed run left half done (before any new batch): a journalled batch's
   * inserts for every event whose figures it did not reach; its redelivery applies it.
   */
  async recover(): Promise<void> {
    for (const { _id: batch, events } of await this.store.pendingBatches()) {
      for (const eventId of events) {
        const stats = await this.store.getStats(eventId);
        if (stats?.lastBatch !== batch) await this.store.forgetBatch(batch, eventId);
      }
      await this.store.endBatch(batch);
    }
  }

  /**
   * A deleted account's channels (user.deleted): their viewer records go, their figures stay,
   * tied to nobody. Between batches, never beside one: a batch under way would write the
   * owner back into figures just made anonymous.
   */
  forgetChannels(channelIds: string[]): Promise<void> {
    return this.serial(async () => {
      for (const id of channelIds) this.forgotten.set(id, true);
      await this.store.forgetChannels(channelIds);
      for (const [eventId, figures] of this.events)
        if (channelIds.includes(figures.owner.channelId)) this.events.delete(eventId);
    });
  }

  /** Writes concurrency as viewers stop beating (every few seconds). */
  startSweeping(): void {
    this.timer ??= setInterval(() => {
      this.serial(() => this.sweep()).catch((error: unknown) =>
        log({ level: "warn", msg: "sweep failed", error: String(error) }),
      );
    }, SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Runs work after everything queued before it: batches and sweeps never overlap. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const taken = [this.queue.shift() as (typeof this.queue)[number]];
        let count = taken[0]?.events.length ?? 0;
        for (let next = this.queue[0]; next; next = this.queue[0]) {
          if (count + next.events.length > MAX_BATCH) break;
          taken.push(next);
          count += next.events.length;
          this.queue.shift();
        }
        try {
          await this.serial(() => this.flush(taken.flatMap((job) => job.events)));
          for (const job of taken) job.done();
        } catch (error) {
          for (const job of taken) job.done(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async flush(events: ActivityEvent[]): Promise<void> {
    if (this.unsettled) {
      await this.recover();
      this.unsettled = false;
    }
    const beats = events.filter(
      (event): event is Heartbeat => event.type === "streamplatform.viewer.heartbeat",
    );
    // Only a stream that went live for an event has figures to change.
    const streams = events.filter(
      (event): event is StreamChange & { data: { eventId: string } } =>
        event.type !== "streamplatform.viewer.heartbeat" && event.data.eventId !== undefined,
    );
    const owners = await this.owners([
      ...beats.map((beat) => beat.data.eventId),
      ...streams.map((stream) => stream.data.eventId),
    ]);
    const batch = `b_${this.now().toString(36)}_${randomBytes(6).toString("hex")}`;
    // One beat per id (a batch may hold one twice); beats of unknown events are dropped: there
    // is nobody to attribute them to; so are beats without a valid view token for their viewer,
    // session and event (a forged or replayed beat counts nothing).
    // A session's beats count up to a player's pace (pace.ts).
    const now = this.now();
    const unique = new Map<string, Beat>();
    for (const beat of beats) {
      if (!owners.has(beat.data.eventId)) this.dropped += 1;
      else if (!permits(beat.data.viewToken, beat.data, now)) this.refused += 1;
      else if (!unique.has(beat.id)) {
        const paced = this.pace.admit(toBeat(beat, now));
        if (paced) unique.set(beat.id, paced);
        else this.overPace += 1;
      }
    }
    const relevantStreams = streams.filter((s) => owners.has(s.data.eventId));
    if (unique.size === 0 && relevantStreams.length === 0) {
      this.pace.commit();
      return;
    }
    const touched = new Set([
      ...[...unique.values()].map((beat) => beat.eventId),
      ...relevantStreams.map((s) => s.data.eventId),
    ]);
    try {
      await this.store.beginBatch(batch, [...touched]);
      const stored = await this.store.insertBeats(
        [...unique.values()].map((beat) => ({ _id: beat.id, b: batch, e: beat.eventId })),
      );
      const fresh = [...unique.values()].filter((beat) => stored.has(beat.id));
      const viewers = await this.apply(batch, fresh, relevantStreams, owners);
      await this.store.endBatch(batch);
      this.pace.commit();
      // Only now: a failed batch's viewers are forgotten by the store and counted on redelivery.
      for (const id of viewers) this.counted.set(id, true);
    } catch (error) {
      this.pace.rollback();
      // Failed part way (a store went away): its beats may be stored but not counted, and the
      // figures in memory may hold what the store does not. Undone before the next batch, so
      // that the redelivery counts them; the figures are read again from the store.
      this.unsettled = true;
      for (const eventId of touched) this.events.delete(eventId);
      throw error;
    }
  }

  private async owners(eventIds: string[]): Promise<Map<string, EventOwner>> {
    const unique = [...new Set(eventIds)];
    const found = await Promise.all(unique.map((id) => this.directory.lookup(id)));
    const owners = new Map<string, EventOwner>();
    unique.forEach((id, index) => {
      const owner = found[index];
      if (owner) owners.set(id, owner);
    });
    return owners;
  }

  /** The batch's effect on each event's figures; the viewers it found counted (event/viewer). */
  private async apply(
    batch: string,
    beats: Beat[],
    streams: (StreamChange & { data: { eventId: string } })[],
    owners: Map<string, EventOwner>,
  ): Promise<string[]> {
    const byEvent = new Map<string, Beat[]>();
    for (const id of streams.map((s) => s.data.eventId)) byEvent.set(id, []);
    for (const beat of beats) {
      const list = byEvent.get(beat.eventId);
      if (list) list.push(beat);
      else byEvent.set(beat.eventId, [beat]);
    }
    const live = new Map<string, EventFigures>();
    for (const eventId of byEvent.keys()) {
      const owner = owners.get(eventId);
      if (owner) live.set(eventId, await this.live(eventId, owner));
    }

    // First-time viewers, all events in one insert: the store's unique ids tell who is new.
    // Viewers counted lately are not asked about again (a bounded memory: one forgotten is
    // asked again, and refused as known).
    const candidates: ViewerDoc[] = [];
    for (const [eventId, list] of byEvent) {
      const inBatch = new Set<string>();
      for (const { viewerId } of list) {
        const id = `${eventId}/${viewerId}`;
        if (this.counted.has(id) || inBatch.has(id)) continue;
        inBatch.add(id);
        candidates.push({ _id: id, eventId, batch });
      }
    }
    const stored = await this.store.insertViewers(candidates);
    const newViewers = new Map<string, number>();
    for (const id of stored) {
      const eventId = id.slice(0, id.indexOf("/"));
      newViewers.set(eventId, (newViewers.get(eventId) ?? 0) + 1);
    }

    const now = this.now();
    const updates: [string, FigureUpdate][] = [];
    for (const [eventId, list] of byEvent) {
      const figures = live.get(eventId);
      if (!figures) continue;
      const changes = streams.filter((s) => s.data.eventId === eventId);
      const update = figures.record(list, changes, newViewers.get(eventId) ?? 0, now);
      // Beats that come after the channel's account was deleted count, for nobody.
      if (this.forgotten.has(figures.owner.channelId))
        Object.assign(update.$set, { channelId: "", ownerId: "" });
      updates.push([eventId, update]);
    }
    for (let i = 0; i < updates.length; i += EVENT_UPDATES_IN_FLIGHT) {
      await Promise.all(
        updates
          .slice(i, i + EVENT_UPDATES_IN_FLIGHT)
          .map(([eventId, update]) => this.store.applyBatch(eventId, batch, update)),
      );
    }
    return candidates.map((doc) => doc._id);
  }

  /** Viewers watching each event now, by event id (events with none left out). */
  viewersNow(): Map<string, number> {
    const now = this.now();
    const viewers = new Map<string, number>();
    for (const [eventId, figures] of this.events) {
      const concurrent = figures.concurrent(now);
      if (concurrent > 0) viewers.set(eventId, concurrent);
    }
    return viewers;
  }

  /** The event's figures in memory, loaded from the store the first time. */
  private async live(eventId: string, owner: EventOwner): Promise<EventFigures> {
    let figures = this.events.get(eventId);
    if (!figures) {
      figures = new EventFigures(owner, await this.store.getStats(eventId), this.now());
      this.events.set(eventId, figures);
    }
    figures.touchedAt = this.now();
    return figures;
  }

  private async sweep(): Promise<void> {
    const now = this.now();
    for (const [eventId, figures] of this.events) {
      const concurrent = figures.concurrencyChange(now);
      if (concurrent !== undefined) {
        await this.store.setConcurrent(eventId, concurrent, new Date(now));
        figures.wrote(concurrent);
      }
      if (figures.concurrent(now) === 0 && figures.touchedAt < now - IDLE_EVENT_MS)
        this.events.delete(eventId);
    }
  }
}
