// What the HTTP API answers with, as the functions build it and the web app reads it: one
// definition for both sides. No imports: the browser's type-check reaches this file alone.
/** A field of the request that is wrong, and why: an entry of a problem+json `errors`. */
export interface FieldProblem {
  field: string;
  detail: string;
}

export type EventStatus = "scheduled" | "live" | "ended" | "cancelled";

/**
 * How long after its start time a scheduled event without a stream still counts as upcoming
 * ("starting soon"). The same hour within which a late stream still becomes the event (the events
 * function's currentEvent): past it, no stream can start it, so it did not start, and it leaves
 * every upcoming listing (home, search's Upcoming, badges) until its owner moves it.
 */
export const START_GRACE_MS = 60 * 60_000;

/** Whether a scheduled event's time passed, beyond START_GRACE_MS, without a stream. */
export const didNotStart = (
  event: { status: EventStatus; startsAt: string | Date },
  now = Date.now(),
): boolean =>
  event.status === "scheduled" && new Date(event.startsAt).getTime() + START_GRACE_MS < now;

export interface User {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
  /** Whether its owner opened the link mailed to this address (or reset the password by mail). */
  emailVerified: boolean;
  /** What the account may do beyond its own things (`operator`: the operator console). */
  roles: Role[];
}

/** The roles an account can hold (accounts' users.roles). */
export const ROLES = ["operator"] as const;
export type Role = (typeof ROLES)[number];

/** A channel as anyone may see it (never its stream key). */
export interface Channel {
  id: string;
  ownerId: string;
  slug: string;
  title: string;
  description: string;
  createdAt: string;
}

/** One of a person's subscriptions: a channel (with its slug and title) or a single event. */
export interface Subscription {
  target: { kind: "channel"; id: string } | { kind: "event"; id: string };
  createdAt: string;
  channel?: Pick<Channel, "slug" | "title">;
}

/** A video event as clients see it: no internals (outbox, applied ids). */
export interface VideoEvent {
  id: string;
  channelId: string;
  ownerId: string;
  title: string;
  description: string;
  tags: string[];
  category?: string;
  startsAt: string;
  /** When its stream really started (the event went live), which may differ from startsAt. */
  startedAt?: string;
  endsAt?: string;
  status: EventStatus;
  version: number;
  vodPath?: string;
  /** Its picture (posterOf): the live frame, the recording's, or none (the web draws one). */
  posterUrl?: string;
  /** The same picture half as high, for cards (srcset). */
  posterSmallUrl?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * The posters stream-server writes in an event's HLS folder (served by the edge under /hls/): the
 * live ones, rewritten every few seconds while live (cached for seconds), and the recording's,
 * kept when the stream ends and never changed (cached for a year). Heights 360 and 180 px; the
 * small one is named as the large with "-small" (posterOf).
 */
export const POSTER_FILES = {
  live: { large: "poster.jpg", small: "poster-small.jpg" },
  recording: { large: "poster-vod.jpg", small: "poster-vod-small.jpg" },
} as const;
export const POSTER_HEIGHTS = { large: 360, small: 180 } as const;

/**
 * Where an event's poster is, from its state: the one stream-server said it wrote (its
 * posterPath: the owner's upload before the stream, the live frame while live, the recording's
 * once that is ready), its small twin beside it; nothing for a cancelled event or one without
 * any, which the web app shows with a picture of its own.
 */
export function posterOf(event: {
  status: EventStatus;
  posterPath?: string | null;
}): Pick<VideoEvent, "posterUrl" | "posterSmallUrl"> {
  const path = event.posterPath;
  if (!path || event.status === "cancelled") return {};
  return { posterUrl: path, posterSmallUrl: path.replace(/\.jpg$/, "-small.jpg") };
}

/**
 * A live stream's health as its channel's owner sees it (stream-server's
 * GET /api/streams/:channelId/health): the publisher's input and the encoder's pace.
 */
export interface StreamHealth {
  channelId: string;
  /** Whether a publisher is streaming to the channel (on this stream-server). */
  live: boolean;
  /** False when the encoder has said nothing for a few seconds: "no signal". */
  signal: boolean;
  eventId?: string;
  startedAt?: string;
  /** What the publisher sends, kbit/s (the last few seconds). */
  inputKbps?: number;
  /** Frames the encoder makes per second, and its pace against real time (1 = keeping up). */
  fps?: number;
  speed?: number;
  /** Frames the encoder dropped or duplicated to keep its pace (since the stream started). */
  droppedFrames?: number;
  duplicatedFrames?: number;
  /** The publisher's picture. */
  width?: number;
  height?: number;
  /** Seconds between the publisher's keyframes (the latest two). */
  keyframeSeconds?: number;
  /** Something about the stream its owner should know, in a person's words (the original
   * quality left out of the ladder, and why). */
  notice?: string;
  /** When the encoder last reported. */
  updatedAt?: string;
}

/** A chat message as clients see it (the chat API, its SSE gateway and the web app). */
export interface ChatMessage {
  id: string;
  eventId: string;
  channelId: string;
  userId: string;
  /** The author's display name when the message was sent. */
  author: string;
  text: string;
  sentAt: string;
  /** Seconds into the stream when it was sent: a recording replays it there. */
  offsetSeconds?: number;
}

/**
 * What a person is told of an event they follow (or whose channel they follow), and of an event
 * like what they watch on a channel they do not follow (event.recommended: a few a day at most,
 * unless they turned it off).
 */
export const NOTIFICATION_KINDS = [
  "event.scheduled",
  "event.updated",
  "event.reminder",
  "event.live",
  "event.cancelled",
  "event.recommended",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** A notification as its person sees it (the inbox API, its SSE gateway and the web app). */
export interface Notification {
  id: string;
  kind: NotificationKind;
  eventId: string;
  /** The event's title. */
  title: string;
  /** The event's channel (absent on notifications older than the field, or of a deleted channel). */
  channelTitle?: string;
  createdAt: string;
  read: boolean;
}

/** Each kind's words, with the channel's title and without it (when it is not known). */
const NEWS: Record<NotificationKind, { of(channel: string): string; alone: string }> = {
  "event.scheduled": { of: (channel) => `${channel} scheduled`, alone: "New event" },
  "event.updated": { of: (channel) => `${channel} moved`, alone: "New time" },
  "event.reminder": { of: (channel) => `Starting soon on ${channel}`, alone: "Starting soon" },
  "event.live": { of: (channel) => `${channel} is live`, alone: "Live now" },
  "event.cancelled": { of: (channel) => `${channel} cancelled`, alone: "Cancelled" },
  "event.recommended": {
    of: (channel) => `Recommended for you from ${channel}`,
    alone: "Recommended for you",
  },
};

/**
 * What a notification says, in the bell, in mail and on the desktop: "Ada's channel is live:
 * Launch" ("Live now: Launch" when the channel's title is not known).
 */
export function notificationText(n: Pick<Notification, "kind" | "title" | "channelTitle">): string {
  const news = NEWS[n.kind];
  return `${n.channelTitle ? news.of(n.channelTitle) : news.alone}: ${n.title}`;
}

/**
 * The kinds whose own words (what notificationText says besides the titles) contain `word`,
 * ignoring case: a search of the inbox for "live" or "cancelled" finds those notifications.
 */
export function kindsSaying(word: string): NotificationKind[] {
  const asked = word.toLowerCase();
  return NOTIFICATION_KINDS.filter((kind) =>
    `${NEWS[kind].of("")} ${NEWS[kind].alone}`.toLowerCase().includes(asked),
  );
}

/** One event of a person's viewing history (GET /api/me/history), as they see it. */
export interface HistoryEntry {
  eventId: string;
  title: string;
  status: EventStatus;
  channel: { id: string; slug: string; title: string };
  /** Seconds of playback in all. */
  watchedSeconds: number;
  /** Where they stopped, in seconds (their last beat). */
  position: number;
  /** The recording's length, when what they watched last was the recording (not live). */
  duration?: number;
  /** When they last watched. */
  updatedAt: string;
  /** The event's poster now (posterOf), when it has one. */
  posterUrl?: string;
  posterSmallUrl?: string;
}
export * from "./ops.ts";
