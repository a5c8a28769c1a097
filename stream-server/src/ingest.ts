// A publish, from the RTMP handshake to the VOD: authorize the key (ChannelService), pick the
// event (EventService), transcode while the publisher is there, and tell the platform
// (stream.started once the first segments exist, stream.alive every STREAM_ALIVE_SECONDS while
// live, stream.ended when the publisher leaves, recording.ready once the playlists are VOD). A
// refused publish leaves no file and no event.
import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  addressKey,
  adHocEventId,
  createEvent,
  GrpcStatus,
  isGrpcStatus,
} from "@stream-platform/shared";
import { POSTER_FILES } from "@stream-platform/shared/api";
import type { ChannelsClient, EventsClient } from "@stream-platform/shared/grpc";
import type { EventPublisher } from "@stream-platform/shared/kafka";
import { SharedRateLimiter } from "@stream-platform/shared/postgres";
import type { Config } from "./config.ts";
import type { Rung } from "./ladder.ts";
import {
  attachFeed,
  type NmsSession,
  publisherGone,
  rejectPublish,
  watchVideoCodec,
} from "./nms.ts";
import {
  describeRendition,
  finalizeAsVod,
  hasFirstSegments,
  masterPlaylist,
  type RenditionInfo,
  VOD_MASTER,
  writeAtomically,
} from "./playlists.ts";
import { keepRecordingPoster, livePosterWritten } from "./posters.ts";
import { clientAddress } from "./proxy-protocol.ts";
import { Transcoder } from "./transcoder.ts";
import { unsupportedVideo } from "./video-codecs.ts";

const SOURCE = "/stream-server";
/** How long after stream.started a live poster may take to come (it comes within seconds). */
const POSTER_WAIT_MS = 60_000;
const APP = "live";

export interface LiveStream {
  streamId: string;
  channelId: string;
  eventId: string;
  startedAt?: string;
  /** Set once its publisher left: no more stream.alive. */
  ending?: boolean;
  /** Why stream-server ended it, when it did (stream.ended's reason). */
  endReason?: "encoder-failed";
  transcoder: Transcoder;
}

export interface IngestDeps {
  config: Config;
  rungs: Rung[];
  channels: Pick<ChannelsClient, "authorizePublish">;
  events: Pick<EventsClient, "getCurrentEvent">;
  publisher: EventPublisher;
  /** After a recording is final (an S3 upload, say); its failure is logged, not fatal. */
  afterRecording?: (eventId: string, dir: string) => Promise<void>;
  log(entry: Record<string, unknown>): void;
}

export class Ingest {
  /** Live streams by channel: one publisher per channel. */
  readonly live = new Map<string, LiveStream>();
  /** Channels whose publish is being authorized right now (two at once: only the first). */
  private readonly claiming = new Set<string>();
  /** Each live stream's publisher (kept out of LiveStream, which is listed: its path has the key). */
  private readonly publishers = new WeakMap<LiveStream, NmsSession>();
  private readonly ending = new Set<Promise<void>>();
  /**
   * One publish attempt a second per address, with bursts of 20 (OBS reconnecting). In
   * PostgreSQL: a restart does not give a key guesser a fresh burst, and instances share it.
   */
  private readonly publishAttempts = new SharedRateLimiter("rtmp-publish:address", 1, 20);

  /** Sends every live stream's stream.alive (see alive()). */
  private readonly aliveTimer: NodeJS.Timeout;

  constructor(private readonly deps: IngestDeps) {
    this.aliveTimer = setInterval(() => void this.alive(), deps.config.aliveMs);
    this.aliveTimer.unref();
  }

  /**
   * Tells the platform that each live stream is still on: without these, the events function
   * takes a live event whose stream-server died (no stream.ended) for lost and ends it. A failed
   * publish is logged; the next round tries again, well within the events function's patience.
   */
  private async alive(): Promise<void> {
    const at = new Date().toISOString();
    const streams = [...this.live.values()].filter((s) => s.startedAt !== undefined && !s.ending);
    if (streams.length === 0) return;
    await this.deps.publisher
      .publish(
        streams.map(({ streamId, channelId, eventId }) =>
          createEvent({
            type: "streamplatform.stream.alive",
            source: SOURCE,
            subject: channelId,
            data: { streamId, channelId, eventId, at },
          }),
        ),
      )
      .catch((error: unknown) =>
        this.deps.log({ level: "warn", msg: "stream.alive not sent", error: String(error) }),
      );
  }

  /** node-media-server's prePublish: decide, then start or refuse. Never throws. */
  onPublish = (session: NmsSession): void => {
    // Seen on its first video message, before the transcoder could choke on it.
    watchVideoCodec(session, (codec) => {
      const reason = unsupportedVideo(codec);
      if (reason && !publisherGone(session)) this.refuse(session, reason);
    });
    void this.admit(session).catch((error: unknown) => {
      this.deps.log({
        level: "error",
        msg: "publish failed",
        session: session.id,
        error: String(error),
      });
      session.close();
    });
  };

  private refuse(session: NmsSession, reason: string): void {
    // The session id, never the path: the path holds the key. The publisher's address tells an
    // operator who is guessing keys.
    this.deps.log({
      level: "warn",
      msg: "publish refused",
      session: session.id,
      address: clientAddress(session.socket),
      reason,
    });
    rejectPublish(session, reason);
  }

  /**
   * The channel's key was rotated (channel.key-rotated): its live publish ends within the moment,
   * as if its publisher had left (stream.ended, the recording kept), unless its key is still
   * good, asked again of accounts (a late event, after a publish with the new key). When accounts
   * cannot answer, the publish ends all the same: a rotated key is most often a leaked one.
   */
  async keyRotated(channelId: string): Promise<void> {
    // A publish being admitted was authorized with the key of that moment: judged once live.
    while (this.claiming.has(channelId) && !this.live.has(channelId))
      await new Promise((resolve) => setTimeout(resolve, 50));
    const stream = this.live.get(channelId);
    const session = stream && this.publishers.get(stream);
    if (!stream || !session || stream.ending) return;
    const stillGood = await this.deps.channels.authorizePublish(session.streamName).then(
      (channel) => channel.id === channelId,
      () => false,
    );
    if (publisherGone(session)) return;
    if (stillGood) {
      this.deps.log({
        level: "info",
        msg: "publish kept: its key is current",
        stream: stream.streamId,
      });
      return;
    }
    this.deps.log({
      level: "info",
      msg: "publish cut",
      stream: stream.streamId,
      channel: channelId,
      event: stream.eventId,
      reason: "the stream key was rotated",
    });
    rejectPublish(session, "the stream key was rotated: publish with the new key");
  }

  private async admit(session: NmsSession): Promise<void> {
    // Key guessing over RTMP: attempts per address are limited before any key is looked up
    // (the publisher's address: behind the edge, from its PROXY header; an IPv6 one by /64).
    const wait = await this.publishAttempts.take(addressKey(clientAddress(session.socket)));
    if (wait > 0) {
      this.refuse(session, `too many publish attempts from this address: try again in ${wait} s`);
      return;
    }
    if (session.streamApp !== APP) {
      this.refuse(session, `unknown application (publish to rtmp://HOST/${APP}/STREAM_KEY)`);
      return;
    }
    let channelId: string;
    try {
      channelId = (await this.deps.channels.authorizePublish(session.streamName)).id;
    } catch (error) {
      if (
        isGrpcStatus(error, GrpcStatus.PERMISSION_DENIED) ||
        isGrpcStatus(error, GrpcStatus.NOT_FOUND)
      ) {
        this.refuse(session, "unknown or rotated stream key");
        return;
      }
      throw error;
    }
    if (publisherGone(session)) return; // gone while we asked
    if (this.live.has(channelId) || this.claiming.has(channelId)) {
      this.refuse(session, "the channel is already live");
      return;
    }
    this.claiming.add(channelId);
    try {
      await this.begin(session, channelId);
    } finally {
      this.claiming.delete(channelId);
    }
  }

  private async begin(session: NmsSession, channelId: string): Promise<void> {
    const { config, rungs } = this.deps;
    const streamId = `str_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
    const startedEventId = randomUUID();
    // The scheduled (or live) event of the channel; with none, the ad-hoc event the events
    // function will create from our stream.started, whose id we can derive.
    let scheduled: string | undefined;
    try {
      scheduled = (await this.deps.events.getCurrentEvent(channelId)).id;
    } catch (error) {
      if (!isGrpcStatus(error, GrpcStatus.NOT_FOUND)) throw error;
    }
    // From here on all is synchronous until the close listener is set: a publisher that left
    // while we asked is seen now, or by that listener.
    if (publisherGone(session)) return;
    const eventId = scheduled ?? adHocEventId(startedEventId);
    const dir = join(config.hlsDir, eventId);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });

    const transcoder = new Transcoder({
      dir,
      rungs,
      segmentSeconds: config.segmentSeconds,
      preset: config.preset,
      posterSeconds: config.posterSeconds,
      feed: (sink) => attachFeed(session.broadcast, sink),
      log: (msg) => this.deps.log({ level: "warn", msg, stream: streamId, event: eventId }),
    });
    const stream: LiveStream = { streamId, channelId, eventId, transcoder };
    this.live.set(channelId, stream);
    this.publishers.set(stream, session);
    this.deps.log({
      level: "info",
      msg: "publish accepted",
      stream: streamId,
      channel: channelId,
      event: eventId,
    });

    // A publisher that goes silent (a pulled cable sends no FIN) counts as gone.
    session.socket.setTimeout(config.publisherTimeoutMs, () => session.socket.destroy());
    session.socket.once("close", () => {
      const done = this.end(stream, dir).catch((error: unknown) =>
        this.deps.log({
          level: "error",
          msg: "ending the stream failed",
          stream: streamId,
          error: String(error),
        }),
      );
      this.ending.add(done);
      void done.finally(() => this.ending.delete(done));
    });
    // An encoder that keeps failing ends the stream as its publisher leaving would (the socket
    // closes: stream.ended with the reason, the recording so far kept).
    transcoder.once("failed", (detail: string) => {
      stream.endReason = "encoder-failed";
      this.deps.log({
        level: "error",
        msg: "the encoder kept failing: ending the stream",
        stream: streamId,
        event: eventId,
        reason: stream.endReason,
        detail,
      });
      session.socket.destroy();
    });
    // What the publisher sends decides the ladder (a few seconds at most): undefined if it left.
    const ladder = await transcoder.start();
    if (!ladder) return;

    // stream.started once every rendition has a segment, with the master playlist in place.
    while (!hasFirstSegments(dir, ladder.rungs)) {
      if (publisherGone(session) || this.live.get(channelId) !== stream) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const master = masterPlaylist(await this.describe(dir, ladder.rungs));
    // Its publisher may have left while the renditions were probed: then it never went live
    // (end() saw no startedAt, and sends no stream.ended).
    if (stream.ending) return;
    writeAtomically(join(dir, "master.m3u8"), master);
    stream.startedAt = new Date().toISOString();
    await this.deps.publisher.publish([
      createEvent({
        id: startedEventId,
        type: "streamplatform.stream.started",
        source: SOURCE,
        subject: channelId,
        data: {
          streamId,
          channelId,
          ...(scheduled && { eventId }),
          startedAt: stream.startedAt,
        },
      }),
    ]);
    this.deps.log({ level: "info", msg: "stream started", stream: streamId, event: eventId });
    // Apart from the publish's own work: its failure is logged, never the stream's. A stream
    // without video has no poster.
    if (ladder.video)
      void this.announcePoster(stream, dir).catch((error: unknown) =>
        this.deps.log({
          level: "error",
          msg: "announcing the live poster failed",
          stream: streamId,
          error: String(error),
        }),
      );
  }

  /**
   * stream.poster once ffmpeg wrote the live poster (a few seconds after the first segments: it
   * waits for frames of the next few seconds), so the event names a picture that is there. Nothing
   * for a stream that ends before, or whose poster does not come within POSTER_WAIT_MS.
   */
  private async announcePoster(stream: LiveStream, dir: string): Promise<void> {
    const { streamId, channelId, eventId } = stream;
    const deadline = Date.now() + POSTER_WAIT_MS;
    while (!livePosterWritten(dir)) {
      if (stream.ending || this.live.get(channelId) !== stream || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await this.deps.publisher.publish([
      createEvent({
        type: "streamplatform.stream.poster",
        source: SOURCE,
        subject: channelId,
        data: {
          streamId,
          channelId,
          eventId,
          posterPath: `/hls/${eventId}/${POSTER_FILES.live.large}`,
        },
      }),
    ]);
  }

  private describe(dir: string, rungs: Rung[]): Promise<RenditionInfo[]> {
    return Promise.all(rungs.map((rung) => describeRendition(dir, rung)));
  }

  private async end(stream: LiveStream, dir: string): Promise<void> {
    const { streamId, channelId, eventId } = stream;
    stream.ending = true;
    const endedAt = new Date().toISOString();
    const started = stream.startedAt !== undefined;
    // stream.ended at once (the viewers' "live" badge goes), the recording after ffmpeg is done.
    if (started) {
      await this.deps.publisher.publish([
        createEvent({
          type: "streamplatform.stream.ended",
          source: SOURCE,
          subject: channelId,
          data: {
            streamId,
            channelId,
            eventId,
            endedAt,
            ...(stream.endReason && { reason: stream.endReason }),
          },
        }),
      ]);
    }
    await stream.transcoder.stop();
    this.live.delete(channelId);
    if (!started) {
      // Never went live (left during start-up): nothing to keep, nothing to tell.
      rmSync(dir, { recursive: true, force: true });
      this.deps.log({
        level: "info",
        msg: "publisher left before the first segment",
        stream: streamId,
      });
      return;
    }
    // Final bandwidths: the peak over the whole recording. (Started: the ladder is known.)
    const ladder = stream.transcoder.ladder ?? { rungs: this.deps.rungs, video: true };
    const renditions = await this.describe(dir, ladder.rungs);
    writeAtomically(join(dir, "master.m3u8"), masterPlaylist(renditions));
    const durationSeconds = finalizeAsVod(dir, ladder.rungs, renditions);
    // Its poster, before recording.ready says where it is (none if it failed: the web app then
    // draws its own; none without video).
    const posterPath = ladder.video
      ? await keepRecordingPoster(dir, ladder.rungs[0]?.name ?? "source").then(
          () => `/hls/${eventId}/${POSTER_FILES.recording.large}`,
          (error: unknown) => {
            this.deps.log({
              level: "error",
              msg: "recording poster failed",
              event: eventId,
              error: String(error),
            });
            return undefined;
          },
        )
      : undefined;
    await this.deps.afterRecording?.(eventId, dir).catch((error: unknown) =>
      this.deps.log({
        level: "error",
        msg: "recording upload failed",
        event: eventId,
        error: String(error),
      }),
    );
    await this.deps.publisher.publish([
      createEvent({
        type: "streamplatform.recording.ready",
        source: SOURCE,
        subject: channelId,
        data: {
          streamId,
          channelId,
          eventId,
          vodPath: `/hls/${eventId}/${VOD_MASTER}`,
          durationSeconds,
          ...(posterPath && { posterPath }),
        },
      }),
    ]);
    this.deps.log({
      level: "info",
      msg: "recording ready",
      stream: streamId,
      event: eventId,
      durationSeconds,
    });
  }

  /** Waits for streams that are ending (SIGTERM: finish their recordings first). */
  async drain(): Promise<void> {
    clearInterval(this.aliveTimer);
    await Promise.all(this.ending);
  }
}
