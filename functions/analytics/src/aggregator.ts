// The aggregation sink (KafkaSource on viewer-activity and streams). Deliveries that arrive
// while a batch is being written queue up and go together in the next one (up to MAX_BATCH
// events), so one process keeps up with many thousands of beats a second whether Knative
// posts them one at a time or local/ posts them in batches; each delivery is answered when its
// batch is stored. Batches are applied one after another: this is the only writer of `stats`
// (the manifest allows one instance), which FerretDB's non-atomic updates require.
//
// Per batch: journal it (with its events), insert its beats (duplicates refused: a redelivered
// beat counts nothing), insert first-time viewers, then one update per event with the sums, and
// close the journal entry; a crash in between is undone at the next start (see store.ts) and
// the redelivery applies the batch. Concurrency is kept in memory (who beat in the last 30 s) and written as a
// figure; after a restart it is whole again within one heartbeat interval.
import { randomBytes } from "node:crypto";
import type { EventData, PlatformEvent } from "@stream-platform/shared";
import type { EventDirectory, EventOwner } from "./events.ts";
import { CONCURRENCY_WINDOW_MS, HEARTBEAT_INTERVAL_SECONDS } from "./schemas.ts";
import type { AnalyticsStore, ViewerDoc } from "./store.ts";

const MAX_BATCH = 20_000;
const EVENT_UPDATES_IN_FLIGHT = 8;
const SWEEP_MS = 5000;
/** An event nobody watched for this long is dropped from memory (reloaded if needed). */
const IDLE_EVENT_MS = 10 * 60_000;
/** Minutes whose viewer sets stay in memory. */
const MINUTES_KEPT = 5;

type Heartbeat = PlatformEvent<"streamplatform.viewer.heartbeat">;
type StreamEvent = PlatformEvent<"streamplatform.stream.started" | "streamplatform.stream.ended">;

/** A beat as the figures need it (only its id is stored). */
interface Beat {
  id: string;
  eventId: string;
  viewerId: string;
  at: Date;
  played: number;
  buffering: number;
  rendition?: string;
}

interface LiveEvent {
  owner: EventOwner;
  /** Every viewer the event ever had (unique viewers). */
  known: Set<string>;
  /** Viewer → time of their latest beat (ms). */
  presence: Map<string, number>;
  minuteViewers: Map<string, Set<string>>;
  /**
   * A minute's viewer count as stored when this process loaded the event: after a restart in
   * the middle of a minute, its count does not fall below what was already known.
   */
  minuteFloor: Map<string, number>;
  peak: number;
  /** The concurrency last written, so a sweep writes only changes. */
  written: number;
  touchedAt: number;
}

interface Update {
  $inc: Record<string, number>;
  $set: Record<string, unknown>;
}

/** "2026-11-28T08:15": the timeline's bucket of an instant. */
export const minuteOf = (at: Date) => at.toISOString().slice(0, 16);
/** Field names are keys: nothing that MongoDB reads as a path or an operator. */
const renditionKey = (rendition: string) => rendition.replace(/[^A-Za-z0-9_-]/g, "_") || "unknown";

function add(fields: Record<string, number>, path: string, value: number): void {
  if (value !== 0) fields[path] = (fields[path] ?? 0) + value;
}

export class Aggregator {
  private readonly events = new Map<string, LiveEvent>();
  private readonly queue: { events: PlatformEvent[]; done: (error?: unknown) => void }[] = [];
  private draining = false;
  private chain: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  dropped = 0;

  constructor(
    private readonly store: AnalyticsStore,
    private readonly directory: Pick<EventDirectory, "lookup">,
    private readonly now = () => Date.now(),
  ) {}

  /** Resolves once the events are applied (or known to have been); rejects if that failed. */
  submit(events: PlatformEvent[]): Promise<void> {
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

  /** Writes concurrency as viewers stop beating (every few seconds). */
  startSweeping(): void {
    this.timer ??= setInterval(() => {
      this.serial(() => this.sweep()).catch((error: unknown) =>
        console.error(JSON.stringify({ level: "warn", msg: "sweep failed", error: String(error) })),
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

  private async flush(events: PlatformEvent[]): Promise<void> {
    const beats = events.filter(
      (event): event is Heartbeat => event.type === "streamplatform.viewer.heartbeat",
    );
    const streams = events.filter(
      (event): event is StreamEvent =>
        (event.type === "streamplatform.stream.started" ||
          event.type === "streamplatform.stream.ended") &&
        (event.data as EventData<"streamplatform.stream.started">).eventId !== undefined,
    );
    const owners = await this.owners([
      ...beats.map((beat) => beat.data.eventId),
      ...streams.map((stream) => stream.data.eventId as string),
    ]);
    const batch = `b_${this.now().toString(36)}_${randomBytes(6).toString("hex")}`;
    // One beat per id (a batch may hold one twice); beats of unknown events are dropped: there
    // is nobody to attribute them to.
    const unique = new Map<string, Beat>();
    for (const beat of beats) {
      if (owners.has(beat.data.eventId)) unique.set(beat.id, this.toBeat(beat));
      else this.dropped += 1;
    }
    const relevantStreams = streams.filter((s) => owners.has(s.data.eventId as string));
    if (unique.size === 0 && relevantStreams.length === 0) return;
    const touched = new Set([
      ...[...unique.values()].map((beat) => beat.eventId),
      ...relevantStreams.map((s) => s.data.eventId as string),
    ]);
    await this.store.beginBatch(batch, [...touched]);
    const stored = await this.store.insertBeats(
      [...unique.values()].map((beat) => ({ _id: beat.id, b: batch, e: beat.eventId })),
    );
    const fresh = [...unique.values()].filter((beat) => stored.has(beat.id));
    await this.apply(batch, fresh, relevantStreams, owners);
    await this.store.endBatch(batch);
  }

  private toBeat(beat: Heartbeat): Beat {
    const now = this.now();
    const sent = beat.time ? Date.parse(beat.time) : now;
    // A beat from the future (a client clock ahead) counts as now.
    const at = new Date(Math.min(Number.isNaN(sent) ? now : sent, now));
    const data = beat.data;
    return {
      id: beat.id,
      eventId: data.eventId,
      viewerId: data.viewerId,
      at,
      played: data.playedSeconds ?? HEARTBEAT_INTERVAL_SECONDS,
      buffering: data.bufferingSeconds,
      ...(data.rendition && { rendition: data.rendition }),
    };
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

  /** The batch's effect on each event's figures. */
  private async apply(
    batch: string,
    beats: Beat[],
    streams: StreamEvent[],
    owners: Map<string, EventOwner>,
  ): Promise<void> {
    const byEvent = new Map<string, Beat[]>();
    for (const id of streams.map((s) => s.data.eventId as string)) byEvent.set(id, []);
    for (const beat of beats) {
      const list = byEvent.get(beat.eventId);
      if (list) list.push(beat);
      else byEvent.set(beat.eventId, [beat]);
    }
    const live = new Map<string, LiveEvent>();
    for (const eventId of byEvent.keys()) {
      const owner = owners.get(eventId);
      if (owner) live.set(eventId, await this.live(eventId, owner));
    }

    // First-time viewers, all events in one insert.
    const candidates: ViewerDoc[] = [];
    for (const [eventId, list] of byEvent) {
      const known = live.get(eventId)?.known;
      const seen = new Set<string>();
      for (const { viewerId } of list) {
        if (known?.has(viewerId) || seen.has(viewerId)) continue;
        seen.add(viewerId);
        candidates.push({ _id: `${eventId}/${viewerId}`, eventId, batch });
      }
    }
    const stored = await this.store.insertViewers(candidates);
    const newViewers = new Map<string, number>();
    for (const id of stored) {
      const eventId = id.slice(0, id.indexOf("/"));
      newViewers.set(eventId, (newViewers.get(eventId) ?? 0) + 1);
    }

    const now = this.now();
    const updates: [string, Update][] = [];
    for (const [eventId, list] of byEvent) {
      const event = live.get(eventId);
      if (!event) continue;
      const update: Update = { $inc: {}, $set: {} };
      const minutes = new Set<string>();
      for (const beat of list) {
        event.known.add(beat.viewerId);
        const seenAt = Math.max(event.presence.get(beat.viewerId) ?? 0, beat.at.getTime());
        event.presence.set(beat.viewerId, seenAt);
        const minute = minuteOf(beat.at);
        this.minuteViewers(event, minute).add(beat.viewerId);
        minutes.add(minute);
        add(update.$inc, "watchSeconds", beat.played);
        add(update.$inc, "bufferingSeconds", beat.buffering);
        add(update.$inc, "beats", 1);
        add(update.$inc, `minutes.${minute}.watchSeconds`, beat.played);
        add(update.$inc, `minutes.${minute}.bufferingSeconds`, beat.buffering);
        add(update.$inc, `minutes.${minute}.beats`, 1);
        if (beat.rendition)
          add(update.$inc, `renditions.${renditionKey(beat.rendition)}`, beat.played);
      }
      for (const minute of minutes)
        update.$set[`minutes.${minute}.viewers`] = Math.max(
          event.minuteFloor.get(minute) ?? 0,
          event.minuteViewers.get(minute)?.size ?? 0,
        );
      add(update.$inc, "unique", newViewers.get(eventId) ?? 0);
      const concurrent = this.concurrent(event, now);
      if (concurrent > event.peak) {
        event.peak = concurrent;
        update.$set.peakAt = new Date(now);
      }
      event.written = concurrent;
      Object.assign(update.$set, {
        channelId: event.owner.channelId,
        ownerId: event.owner.ownerId,
        peak: event.peak,
        concurrent,
        concurrentAt: new Date(now),
        updatedAt: new Date(now),
      });
      for (const stream of streams.filter((s) => s.data.eventId === eventId)) {
        const data = stream.data as { startedAt?: string; endedAt?: string };
        if (data.startedAt)
          Object.assign(update.$set, { live: true, streamStartedAt: new Date(data.startedAt) });
        if (data.endedAt)
          Object.assign(update.$set, { live: false, streamEndedAt: new Date(data.endedAt) });
      }
      updates.push([eventId, update]);
    }
    for (let i = 0; i < updates.length; i += EVENT_UPDATES_IN_FLIGHT) {
      await Promise.all(
        updates
          .slice(i, i + EVENT_UPDATES_IN_FLIGHT)
          .map(([eventId, update]) => this.store.applyBatch(eventId, batch, update)),
      );
    }
  }

  /** The event's in-memory state, loaded from the store the first time. */
  private async live(eventId: string, owner: EventOwner): Promise<LiveEvent> {
    let event = this.events.get(eventId);
    if (!event) {
      const [stats, known] = await Promise.all([
        this.store.getStats(eventId),
        this.store.viewersOfEvent(eventId),
      ]);
      event = {
        owner,
        known: new Set(known),
        presence: new Map(),
        minuteViewers: new Map(),
        minuteFloor: new Map(
          Object.entries(stats?.minutes ?? {}).map(([minute, f]) => [minute, f.viewers ?? 0]),
        ),
        peak: stats?.peak ?? 0,
        written: stats?.concurrent ?? 0,
        touchedAt: this.now(),
      };
      this.events.set(eventId, event);
    }
    event.touchedAt = this.now();
    return event;
  }

  private minuteViewers(event: LiveEvent, minute: string): Set<string> {
    let viewers = event.minuteViewers.get(minute);
    if (!viewers) {
      viewers = new Set();
      event.minuteViewers.set(minute, viewers);
      const minutes = [...event.minuteViewers.keys()].sort();
      for (const old of minutes.slice(0, -MINUTES_KEPT)) {
        const floor = Math.max(
          event.minuteFloor.get(old) ?? 0,
          event.minuteViewers.get(old)?.size ?? 0,
        );
        event.minuteFloor.set(old, floor);
        event.minuteViewers.delete(old);
      }
    }
    return viewers;
  }

  /** Viewers who beat within the window; the others are forgotten. */
  private concurrent(event: LiveEvent, now: number): number {
    for (const [viewerId, seenAt] of event.presence)
      if (seenAt < now - CONCURRENCY_WINDOW_MS) event.presence.delete(viewerId);
    return event.presence.size;
  }

  private async sweep(): Promise<void> {
    const now = this.now();
    for (const [eventId, event] of this.events) {
      const concurrent = this.concurrent(event, now);
      if (concurrent !== event.written) {
        await this.store.setConcurrent(eventId, concurrent, new Date(now));
        event.written = concurrent;
      }
      if (concurrent === 0 && event.touchedAt < now - IDLE_EVENT_MS) this.events.delete(eventId);
    }
  }
}
