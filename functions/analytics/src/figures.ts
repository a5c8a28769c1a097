// An event's figures, as beats and stream changes arrive: the pure core of the aggregator (no
// store, no clock of its own), so every rule is tested with values. It keeps what the figures
// need in memory (who beat lately, each recent minute's viewers; who ever watched is the
// store's to know) and answers
// each batch with the one update to write: sums to add ($inc) and figures to set ($set).
import type { PlatformEvent } from "@stream-platform/shared";
import type { EventOwner } from "./events.ts";
import { CONCURRENCY_WINDOW_MS, HEARTBEAT_INTERVAL_SECONDS } from "./schemas.ts";
import type { StatsDoc } from "./store.ts";

/** Minutes whose viewer sets stay in memory; older ones keep only their count. */
const MINUTES_KEPT = 5;

export type Heartbeat = PlatformEvent<"streamplatform.viewer.heartbeat">;
export type StreamChange = PlatformEvent<
  "streamplatform.stream.started" | "streamplatform.stream.ended"
>;

/** A beat as the figures need it. */
export interface Beat {
  id: string;
  eventId: string;
  viewerId: string;
  sessionId: string;
  at: Date;
  played: number;
  buffering: number;
  rendition?: string;
}

export interface FigureUpdate {
  $inc: Record<string, number>;
  $set: Record<string, unknown>;
}

/** "2026-11-28T08:15": the timeline's bucket of an instant. */
export const minuteOf = (at: Date) => at.toISOString().slice(0, 16);

/** Field names are keys: nothing that MongoDB reads as a path or an operator. */
export const renditionKey = (rendition: string) =>
  rendition.replace(/[^A-Za-z0-9_-]/g, "_") || "unknown";

/** How far back a beat's own time is believed (a player's kept beats, a delivery backlog). */
export const BEAT_TIME_TRUSTED_MS = 10 * 60_000;

/**
 * The beat a heartbeat stands for, at the time it says if that lies within the last ten
 * minutes, else now: a client's clock (or a forger's) neither backdates beats into long-gone
 * minutes, which would each add a timeline bucket, nor dates them ahead.
 */
export function toBeat(heartbeat: Heartbeat, now: number): Beat {
  const claimed = heartbeat.time ? Date.parse(heartbeat.time) : now;
  const sent = claimed >= now - BEAT_TIME_TRUSTED_MS ? claimed : now;
  const data = heartbeat.data;
  return {
    id: heartbeat.id,
    eventId: data.eventId,
    viewerId: data.viewerId,
    sessionId: data.sessionId,
    at: new Date(Math.min(Number.isNaN(sent) ? now : sent, now)),
    played: data.playedSeconds ?? HEARTBEAT_INTERVAL_SECONDS,
    buffering: data.bufferingSeconds,
    ...(data.rendition && { rendition: data.rendition }),
  };
}

function add(fields: Record<string, number>, path: string, value: number): void {
  if (value !== 0) fields[path] = (fields[path] ?? 0) + value;
}

export class EventFigures {
  /** Viewer → time of their latest beat (ms). */
  private readonly presence = new Map<string, number>();
  private readonly minuteViewers = new Map<string, Set<string>>();
  /**
   * A minute's viewer count as stored when this process loaded the event: after a restart in
   * the middle of a minute, its count does not fall below what was already known.
   */
  private readonly minuteFloor: Map<string, number>;
  private peak: number;
  /** The concurrency last written, so a sweep writes only changes. */
  private written: number;
  touchedAt: number;

  constructor(
    readonly owner: EventOwner,
    stored: Pick<StatsDoc, "minutes" | "peak" | "concurrent"> | null,
    now: number,
  ) {
    this.minuteFloor = new Map(
      Object.entries(stored?.minutes ?? {}).map(([minute, f]) => [minute, f.viewers ?? 0]),
    );
    this.peak = stored?.peak ?? 0;
    this.written = stored?.concurrent ?? 0;
    this.touchedAt = now;
  }

  /**
   * The update that adds a batch: its new beats (duplicates already removed), the stream's
   * start or end, and how many of its viewers were stored as first-time viewers.
   */
  record(beats: Beat[], streams: StreamChange[], newViewers: number, now: number): FigureUpdate {
    this.touchedAt = now;
    const update: FigureUpdate = { $inc: {}, $set: {} };
    const minutes = new Set<string>();
    for (const beat of beats) {
      const seenAt = Math.max(this.presence.get(beat.viewerId) ?? 0, beat.at.getTime());
      this.presence.set(beat.viewerId, seenAt);
      const minute = minuteOf(beat.at);
      this.viewersOf(minute).add(beat.viewerId);
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
        this.minuteFloor.get(minute) ?? 0,
        this.minuteViewers.get(minute)?.size ?? 0,
      );
    add(update.$inc, "unique", newViewers);
    const concurrent = this.concurrent(now);
    if (concurrent > this.peak) {
      this.peak = concurrent;
      update.$set.peakAt = new Date(now);
    }
    this.written = concurrent;
    Object.assign(update.$set, {
      channelId: this.owner.channelId,
      ownerId: this.owner.ownerId,
      peak: this.peak,
      concurrent,
      concurrentAt: new Date(now),
      updatedAt: new Date(now),
    });
    for (const stream of streams) {
      if (stream.type === "streamplatform.stream.started")
        Object.assign(update.$set, {
          live: true,
          streamStartedAt: new Date(stream.data.startedAt),
        });
      else
        Object.assign(update.$set, { live: false, streamEndedAt: new Date(stream.data.endedAt) });
    }
    return update;
  }

  /** Viewers who beat within the window; the others are forgotten. */
  concurrent(now: number): number {
    for (const [viewerId, seenAt] of this.presence)
      if (seenAt < now - CONCURRENCY_WINDOW_MS) this.presence.delete(viewerId);
    return this.presence.size;
  }

  /** The concurrency to write when viewers stopped beating since the last write, else undefined. */
  concurrencyChange(now: number): number | undefined {
    const concurrent = this.concurrent(now);
    return concurrent === this.written ? undefined : concurrent;
  }

  /** The concurrency a sweep stored. */
  wrote(concurrent: number): void {
    this.written = concurrent;
  }

  private viewersOf(minute: string): Set<string> {
    let viewers = this.minuteViewers.get(minute);
    if (!viewers) {
      viewers = new Set();
      this.minuteViewers.set(minute, viewers);
      const minutes = [...this.minuteViewers.keys()].sort();
      for (const old of minutes.slice(0, -MINUTES_KEPT)) {
        const floor = Math.max(
          this.minuteFloor.get(old) ?? 0,
          this.minuteViewers.get(old)?.size ?? 0,
        );
        this.minuteFloor.set(old, floor);
        this.minuteViewers.delete(old);
      }
    }
    return viewers;
  }
}
