// The event catalog: every CloudEvent type the platform knows, the topic it travels on and the
// schema of its data. Producers and consumers both validate against it, so a type, its topic
// and its data shape are written down exactly once.
import { z } from "zod";
import { NOTIFICATION_KINDS } from "../api/views.ts";
import { TOPICS, type TopicName } from "./topics.ts";

const id = z.string().min(1).max(128);
const instant = z.iso.datetime({ offset: true });
const title = z.string().min(1).max(200);
/** A poster stream-server wrote, under the edge's /hls/ (never a path anyone else chose). */
const posterPath = z
  .string()
  .max(500)
  .regex(/^\/hls\/[\w-]+\/[\w-]+\.jpg$/);

/** The life of a video event: scheduled → live → ended, or cancelled. */
export const EVENT_STATUSES = ["scheduled", "live", "ended", "cancelled"] as const;
const eventStatus = z.enum(EVENT_STATUSES);

/** What every event.* CloudEvent carries: a snapshot of the video event after the change. */
const videoEvent = z.object({
  eventId: id,
  channelId: id,
  // With createdAt and updatedAt, what the API shows of an event beyond the rest here (the events
  // function's list is built from these snapshots); absent from those published before.
  ownerId: id.optional(),
  title,
  description: z.string().max(5000).optional(),
  tags: z.array(z.string().min(1).max(50)).max(20).optional(),
  category: z.string().max(50).optional(),
  startsAt: instant,
  endsAt: instant.optional(),
  /** When its stream really started (it went live). */
  startedAt: instant.optional(),
  status: eventStatus,
  createdAt: instant.optional(),
  updatedAt: instant.optional(),
  /** Monotonic per event: lets consumers drop an older snapshot that arrives late. */
  version: z.number().int().nonnegative(),
  vodPath: z.string().max(500).optional(),
  /** Its poster (360 px high; the 180 px one beside it), as stream-server said it wrote it. */
  posterPath: posterPath.optional(),
  /** On event.updated, when the time changed: what it was (subscribers are told). */
  previousStartsAt: instant.optional(),
});

const target = z.object({ kind: z.enum(["channel", "event"]), id });

export const catalog = {
  "streamplatform.channel.created": {
    topic: TOPICS.channels,
    data: z.object({ channelId: id, ownerId: id, slug: z.string().min(1).max(64), title }),
  },
  /**
   * The owner rotated the channel's stream key (subject: the channel; never the key, old or new):
   * stream-server cuts a live publish that still uses the old one.
   */
  "streamplatform.channel.key-rotated": {
    topic: TOPICS.channels,
    data: z.object({ channelId: id, rotatedAt: instant }),
  },
  "streamplatform.subscription.created": {
    topic: TOPICS.subscriptions,
    data: z.object({ userId: id, target }),
  },
  "streamplatform.subscription.deleted": {
    topic: TOPICS.subscriptions,
    data: z.object({ userId: id, target }),
  },
  "streamplatform.event.created": { topic: TOPICS.events, data: videoEvent },
  "streamplatform.event.updated": { topic: TOPICS.events, data: videoEvent },
  "streamplatform.event.cancelled": { topic: TOPICS.events, data: videoEvent },
  "streamplatform.event.live": { topic: TOPICS.events, data: videoEvent },
  "streamplatform.event.ended": {
    topic: TOPICS.events,
    data: videoEvent.extend({
      /**
       * `lost`: its stream went unheard (no stream.alive) without a stream.ended, and the events
       * function ended it; absent: the stream ended, or the owner ended the event.
       */
      reason: z.enum(["lost"]).optional(),
    }),
  },
  /** The event is gone (its owner's account was deleted): consumers forget it. */
  "streamplatform.event.deleted": { topic: TOPICS.events, data: videoEvent },
  /**
   * A new event the recommendations function finds like what these people watch, on a channel
   * they do not follow (subject: the event): the notifications function tells each of them,
   * unless they turned it off or were told a few such things today already.
   */
  "streamplatform.event.recommended": {
    topic: TOPICS.events,
    data: videoEvent.extend({ userIds: z.array(id).min(1).max(1000) }),
  },
  "streamplatform.event.reminder": {
    topic: TOPICS.events,
    data: videoEvent.extend({ minutesBefore: z.number().int().positive() }),
  },
  "streamplatform.stream.started": {
    topic: TOPICS.streams,
    data: z.object({ streamId: id, channelId: id, eventId: id.optional(), startedAt: instant }),
  },
  /**
   * A live stream's poster is there (stream-server, once ffmpeg wrote its first, a few seconds
   * after stream.started): the live frame, rewritten every few seconds while live.
   */
  "streamplatform.stream.poster": {
    topic: TOPICS.streams,
    data: z.object({ streamId: id, channelId: id, eventId: id, posterPath }),
  },
  /**
   * The owner uploaded a poster for a scheduled event (stream-server checked, re-encoded and
   * stored it, under a name of its own): the event shows it until its stream's frames take over.
   */
  "streamplatform.poster.uploaded": {
    topic: TOPICS.streams,
    data: z.object({ eventId: id, channelId: id, posterPath }),
  },
  /**
   * A live stream is still on (stream-server, every 30 s while live): the events function ends a
   * live event whose stream went unheard too long (stream-server killed before stream.ended).
   */
  "streamplatform.stream.alive": {
    topic: TOPICS.streams,
    data: z.object({ streamId: id, channelId: id, eventId: id, at: instant }),
  },
  "streamplatform.stream.ended": {
    topic: TOPICS.streams,
    data: z.object({
      streamId: id,
      channelId: id,
      eventId: id.optional(),
      endedAt: instant,
      /**
       * Why stream-server ended it while its publisher was still there: `encoder-failed`, its
       * encoder kept failing (the recording so far is kept). Absent: the publisher left.
       */
      reason: z.enum(["encoder-failed"]).optional(),
    }),
  },
  "streamplatform.recording.ready": {
    topic: TOPICS.streams,
    data: z.object({
      streamId: id,
      channelId: id,
      eventId: id,
      vodPath: z.string().min(1).max(500),
      durationSeconds: z.number().nonnegative(),
      /** The recording's own poster, kept when it ended (absent: none could be made). */
      posterPath: posterPath.optional(),
    }),
  },
  "streamplatform.notification.created": {
    topic: TOPICS.notifications,
    data: z.object({
      notificationId: id,
      userId: id,
      kind: z.enum(NOTIFICATION_KINDS),
      eventId: id,
      title,
      /** The event's channel, to name it (absent when the channel was not found). */
      channelTitle: title.optional(),
      createdAt: instant,
    }),
  },
  "streamplatform.viewer.heartbeat": {
    topic: TOPICS.viewerActivity,
    data: z.object({
      eventId: id,
      viewerId: id,
      sessionId: id,
      /** The token the analytics API gave this page view (viewer, session and event bound). */
      viewToken: z.string().min(1).max(512),
      position: z.number().nonnegative(),
      rendition: z.string().max(32).optional(),
      bufferingSeconds: z.number().nonnegative().max(3600).default(0),
      /** Seconds of playback since the previous beat (absent: one nominal interval). */
      playedSeconds: z.number().nonnegative().max(600).optional(),
      /** A recording's length in seconds (absent while live): where "finished" is, for history. */
      duration: z
        .number()
        .positive()
        .max(7 * 86_400)
        .optional(),
    }),
  },
  /**
   * A person's viewing history entry as it stands now (analytics computes it from their beats;
   * subject: the person): absolute figures, so applying one twice changes nothing.
   */
  "streamplatform.history.updated": {
    topic: TOPICS.history,
    data: z.object({
      userId: id,
      eventId: id,
      watchedSeconds: z.number().nonnegative(),
      updatedAt: instant,
    }),
  },
  /** A person cleared one entry of their history (eventId), or all of it (no eventId). */
  "streamplatform.history.cleared": {
    topic: TOPICS.history,
    data: z.object({ userId: id, eventId: id.optional(), clearedAt: instant }),
  },
  /** A chat message accepted in an event's room (subject: the event, so a room stays in order). */
  "streamplatform.chat.posted": {
    topic: TOPICS.chat,
    data: z.object({
      messageId: id,
      eventId: id,
      channelId: id,
      userId: id,
      author: z.string().min(1).max(100),
      text: z.string().min(1).max(2000),
      sentAt: instant,
      /** Seconds into the stream (its recording) when sent, once the stream has started. */
      offsetSeconds: z.number().nonnegative().optional(),
    }),
  },
  /** A moderator removed a message from its room. */
  "streamplatform.chat.deleted": {
    topic: TOPICS.chat,
    data: z.object({
      messageId: id,
      eventId: id,
      channelId: id,
      deletedBy: id,
      deletedAt: instant,
    }),
  },
  /**
   * An account was deleted (subject: the user): every function forgets what it kept of the
   * person — their events, search documents, inbox, channels' figures, chat messages.
   */
  "streamplatform.user.deleted": {
    topic: TOPICS.users,
    data: z.object({
      userId: id,
      /** The channels the account owned (deleted with it). */
      channelIds: z.array(id).max(1000),
      deletedAt: instant,
    }),
  },
  /** A synthetic event that checks the pipeline end to end (ingress → Kafka → sinks). */
  "streamplatform.diagnostic.ping": {
    topic: TOPICS.diagnostics,
    data: z.object({ note: z.string().max(1000).optional() }),
  },
} as const satisfies Record<string, { topic: TopicName; data: z.ZodType }>;

export type EventType = keyof typeof catalog;
export type EventData<T extends EventType> = z.output<(typeof catalog)[T]["data"]>;

export const EVENT_TYPES = Object.keys(catalog) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(catalog, type);
}

export function topicOf(type: EventType): TopicName {
  return catalog[type].topic;
}
