// What the analytics API accepts, and the figures' constants; types derive from the schemas.
import { catalog, eventIdSchema } from "@stream-platform/shared";
import { z } from "zod";

/** How often a player beats while playing: the watch time a beat stands for when it says none. */
export const HEARTBEAT_INTERVAL_SECONDS = 10;
/** A viewer counts as watching now if seen within this window. */
export const CONCURRENCY_WINDOW_MS = 30_000;

export const eventId = eventIdSchema;
export const channelId = z.uuid("not a valid channel id");

/**
 * One beacon, as a player sends it: the heartbeat's data (the event, viewer and session come
 * from its view token) plus its sequence number in the session, which makes the CloudEvent id
 * (a retried beacon is the same beat, counted once).
 */
export const beacon = catalog["streamplatform.viewer.heartbeat"].data
  .omit({ eventId: true, viewerId: true, sessionId: true })
  .extend({ seq: z.number().int().nonnegative().max(1_000_000) });
export type Beacon = z.infer<typeof beacon>;

/** A beacon or a few (a player that was offline sends what it kept). */
export const beacons = z.union([beacon, z.array(beacon).min(1).max(50)]);

/** Asking for a view token: the event to watch, and the last token this browser had, if any. */
export const viewRequest = z.object({
  eventId,
  previousToken: z.string().min(1).max(512).optional(),
});

export const heartbeatIdOf = (b: { sessionId: string; seq: number }) =>
  `hb_${b.sessionId}_${b.seq}`;

/** A page of a person's viewing history: after the event `cursor` names (the last page's last). */
export const historyQuery = z.object({
  cursor: eventId.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** Trending: the events most watched in the last `hours`, `limit` of them. */
export const trendingQuery = z.object({
  hours: z.coerce.number().int().min(1).max(48).default(6),
  limit: z.coerce.number().int().min(1).max(50).default(12),
});
