// The figures as the API shows them, from the stored stats of an event.
import { minuteOf } from "./figures.ts";
import { CONCURRENCY_WINDOW_MS } from "./schemas.ts";
import type { StatsDoc } from "./store.ts";

/** Nobody beat within the window since the figure was written: nobody is watching. */
function concurrentNow(stats: StatsDoc | null, now: number): number {
  if (!stats?.concurrentAt) return 0;
  return stats.concurrentAt.getTime() >= now - CONCURRENCY_WINDOW_MS ? stats.concurrent : 0;
}

const ratio = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 1e4) / 1e4 : 0;

/** What anyone may see: how many watch now, at most, and in all. */
export function summary(eventId: string, stats: StatsDoc | null, now = Date.now()) {
  return {
    eventId,
    live: stats?.live ?? false,
    concurrent: concurrentNow(stats, now),
    peak: stats?.peak ?? 0,
    unique: stats?.unique ?? 0,
  };
}

/** The owner's view: watch time, rebuffering, renditions and the per-minute timeline. */
export function details(eventId: string, stats: StatsDoc | null, now = Date.now()) {
  const watch = stats?.watchSeconds ?? 0;
  const buffering = stats?.bufferingSeconds ?? 0;
  const unique = stats?.unique ?? 0;
  const renditions = Object.entries(stats?.renditions ?? {})
    .map(([rendition, seconds]) => ({ rendition, seconds, share: ratio(seconds, watch) }))
    .sort((a, b) => b.seconds - a.seconds);
  const timeline = Object.entries(stats?.minutes ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([minute, figures]) => ({
      minute: `${minute}:00.000Z`,
      viewers: figures.viewers ?? 0,
      watchSeconds: figures.watchSeconds ?? 0,
      bufferingSeconds: figures.bufferingSeconds ?? 0,
    }));
  return {
    ...summary(eventId, stats, now),
    peakAt: stats?.peakAt?.toISOString() ?? null,
    beats: stats?.beats ?? 0,
    watchSeconds: watch,
    averageWatchSeconds: unique > 0 ? Math.round((watch / unique) * 10) / 10 : 0,
    bufferingSeconds: buffering,
    rebufferingRatio: ratio(buffering, watch + buffering),
    renditions,
    timeline,
    updatedAt: stats?.updatedAt?.toISOString() ?? null,
  };
}

/** A channel's events together (viewers summed per event: one person in two events counts twice). */
export function channelTotals(channelId: string, events: StatsDoc[], now = Date.now()) {
  const sum = (pick: (s: StatsDoc) => number) => events.reduce((total, s) => total + pick(s), 0);
  const watch = sum((s) => s.watchSeconds ?? 0);
  const buffering = sum((s) => s.bufferingSeconds ?? 0);
  return {
    channelId,
    events: events.length,
    concurrent: sum((s) => concurrentNow(s, now)),
    peak: events.reduce((max, s) => Math.max(max, s.peak ?? 0), 0),
    viewers: sum((s) => s.unique ?? 0),
    watchSeconds: watch,
    bufferingSeconds: buffering,
    rebufferingRatio: ratio(buffering, watch + buffering),
    perEvent: events
      .map((s) => ({
        eventId: s._id,
        concurrent: concurrentNow(s, now),
        peak: s.peak ?? 0,
        unique: s.unique ?? 0,
        watchSeconds: s.watchSeconds ?? 0,
      }))
      .sort((a, b) => b.watchSeconds - a.watchSeconds),
  };
}

/**
 * Trending: the events most watched since `since`, by viewer-minutes within it (each minute's
 * viewers, added up), most first, live first among equals; a deleted account's (its figures tied
 * to no channel any more) left out.
 */
export function trending(
  watched: Pick<StatsDoc, "_id" | "channelId" | "live" | "minutes">[],
  since: Date,
  limit: number,
) {
  const from = minuteOf(since);
  return watched
    .filter((stats) => stats.channelId)
    .map((stats) => ({
      eventId: stats._id,
      live: stats.live ?? false,
      viewerMinutes: Object.entries(stats.minutes ?? {}).reduce(
        (sum, [minute, figures]) => (minute >= from ? sum + (figures.viewers ?? 0) : sum),
        0,
      ),
    }))
    .filter((event) => event.viewerMinutes > 0)
    .sort(
      (a, b) =>
        b.viewerMinutes - a.viewerMinutes ||
        Number(b.live) - Number(a.live) ||
        a.eventId.localeCompare(b.eventId),
    )
    .slice(0, limit);
}
