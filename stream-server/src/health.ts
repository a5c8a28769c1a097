// A live stream's health for its channel's owner: what the publisher sends (kbit/s, counted on
// the encoder's input) and how the encoder keeps up (fps, speed, dropped and duplicated frames,
// read from ffmpeg's stats lines on stderr), with the publisher's picture size (ffmpeg's input
// description), with the publisher's keyframe interval and a notice when the ladder had to leave
// the source out for it (ladder.ts). Served as GET /api/streams/:channelId/health, to the
// channel's owner only.
import type { IncomingMessage, ServerResponse } from "node:http";
import { PassThrough, type TransformCallback } from "node:stream";
import {
  authenticate,
  forbidden,
  type GrpcDirectory,
  HttpProblem,
  invalidInput,
  log,
  notFound,
  sendHttpProblem,
  sendProblem,
  serviceUnavailable,
  tokenOf,
} from "@stream-platform/shared";
import type { StreamHealth } from "@stream-platform/shared/api";

/** Without a stats line for this long, the encoder has no signal. */
export const SIGNAL_TIMEOUT_MS = 5000;
/** The input bitrate is measured over about this long. */
const WINDOW_MS = 5000;

/** An encoder's input that counts what goes through it. */
export class MeteredInput extends PassThrough {
  constructor(
    options: ConstructorParameters<typeof PassThrough>[0],
    private readonly count: (bytes: number) => void,
  ) {
    super(options);
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, done: TransformCallback): void {
    this.count(chunk.length);
    super._transform(chunk, encoding, done);
  }
}

/**
 * ffmpeg's stats line: `frame=  120 fps= 30 q=28.0 size=N/A time=… bitrate=N/A dup=0 drop=2
 * speed=1.01x`; without video (an audio-only stream) it starts at `size=` and has no frames.
 */
export function parseStats(
  line: string,
): { fps: number; speed?: number; dup: number; drop: number } | undefined {
  if (!/^\s*(frame=\s*\d+|size=)/.test(line)) return undefined;
  const value = (key: string) => line.match(new RegExp(`\\b${key}=\\s*([\\d.]+)`))?.[1];
  const speed = value("speed");
  return {
    fps: Number(value("fps") ?? 0),
    ...(speed !== undefined && { speed: Number(speed) }),
    dup: Number(value("dup") ?? 0),
    drop: Number(value("drop") ?? 0),
  };
}

/** One stream's encoder health, fed by its Transcoder (over ffmpeg restarts). */
export class EncoderHealth {
  private bytes = 0;
  private samples: { at: number; bytes: number }[] = [];
  private inInput = false;
  private stats?: { fps: number; speed?: number; dup: number; drop: number; at: number };
  /** Frames dropped or duplicated by ffmpegs that have exited (a restart counts from zero). */
  private carried = { dup: 0, drop: 0 };
  size?: { width: number; height: number };
  /** The publisher left: what the encoder still does is finishing the recording. */
  stopped = false;
  /** The publisher's latest keyframe interval (ms), as its stream's watch measures it. */
  keyframes?: () => number | undefined;
  /** What the owner should know about the ladder (the source left out, and why). */
  notice?: string;

  constructor(private readonly now: () => number = Date.now) {}

  /** The encoder's input stream, counted. */
  input(options: ConstructorParameters<typeof PassThrough>[0]): PassThrough {
    return new MeteredInput(options, (bytes) => {
      this.bytes += bytes;
    });
  }

  /** A line of ffmpeg's stderr. */
  read(line: string): void {
    if (/^Input #/.test(line)) this.inInput = true;
    else if (/^(Output #|Stream mapping)/.test(line)) this.inInput = false;
    else if (this.inInput && /Stream #\d+:\d+.*: Video:/.test(line)) {
      const size = line.match(/, (\d{2,5})x(\d{2,5})\b/);
      if (size) this.size = { width: Number(size[1]), height: Number(size[2]) };
      return;
    }
    const stats = parseStats(line);
    if (!stats) return;
    const at = this.now();
    this.stats = { ...stats, at };
    this.samples.push({ at, bytes: this.bytes });
    // Kept: the last sample older than the window (the measure's start) and those within it.
    while ((this.samples[1]?.at ?? at) <= at - WINDOW_MS) this.samples.shift();
  }

  /** A new ffmpeg: what the last one counted is kept, its description read again. */
  restarted(): void {
    this.carried = {
      dup: this.carried.dup + (this.stats?.dup ?? 0),
      drop: this.carried.drop + (this.stats?.drop ?? 0),
    };
    this.stats = undefined;
    this.inInput = false;
  }

  /** The figures now (without `channelId` and `live`: the caller knows those). */
  snapshot(): Omit<StreamHealth, "channelId" | "live"> {
    const now = this.now();
    const stats = this.stats;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const span = first && last ? last.at - first.at : 0;
    const keyframeMs = this.keyframes?.();
    return {
      signal: stats !== undefined && now - stats.at < SIGNAL_TIMEOUT_MS,
      ...(first &&
        last &&
        span > 0 && {
          inputKbps: Math.round(((last.bytes - first.bytes) * 8) / span),
        }),
      ...(stats && {
        fps: stats.fps,
        ...(stats.speed !== undefined && { speed: stats.speed }),
        droppedFrames: this.carried.drop + stats.drop,
        duplicatedFrames: this.carried.dup + stats.dup,
        updatedAt: new Date(stats.at).toISOString(),
      }),
      ...(this.size && this.size),
      ...(keyframeMs !== undefined && { keyframeSeconds: Math.round(keyframeMs / 100) / 10 }),
      ...(this.notice && { notice: this.notice }),
    };
  }
}

/** What the health endpoint needs of the live streams. */
export interface HealthSource {
  live: ReadonlyMap<
    string,
    { eventId: string; startedAt?: string; transcoder: { health: EncoderHealth } }
  >;
}

const PATH = /^\/api\/streams\/([^/]+)\/health$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path segment decoded; a malformed percent-encoding is the caller's error, not ours. */
function decodedId(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpProblem(
      invalidInput([{ field: "channelId", detail: "not a valid percent-encoding" }]),
    );
  }
}

/**
 * GET /api/streams/:channelId/health: the channel's owner only (the session's token in the
 * cookie or `Authorization: Bearer`): 401 without a session, 403 for anyone else, 404 for a
 * channel that does not exist. `owners` gives a channel's owner (accounts' GetChannel).
 */
export function healthHandler(
  source: HealthSource,
  owners: GrpcDirectory<string>,
): { matches(path: string): boolean; handle(req: IncomingMessage, res: ServerResponse): void } {
  const answer = async (req: IncomingMessage): Promise<StreamHealth> => {
    const channelId = decodedId(
      new URL(req.url ?? "/", "http://stream-server").pathname.match(PATH)?.[1] ?? "",
    );
    if (req.method !== "GET")
      throw new HttpProblem(
        { status: 405, title: "Method not allowed", detail: "only GET" },
        { allow: "GET" },
      );
    const token = tokenOf(req);
    if (!token)
      throw new HttpProblem(
        {
          status: 401,
          title: "Not signed in",
          detail: "send the session token as `Authorization: Bearer` or the session cookie",
        },
        { "www-authenticate": 'Bearer realm="stream-platform"' },
      );
    const { userId } = await authenticate(token);
    if (!UUID.test(channelId))
      throw new HttpProblem(
        invalidInput([{ field: "channelId", detail: "not a valid channel id" }]),
      );
    const owner = await owners.lookup(channelId);
    if (owner === undefined) throw notFound(`no channel ${channelId}`);
    if (owner !== userId) throw forbidden("only the channel's owner may see its stream's health");
    const stream = source.live.get(channelId);
    if (!stream || stream.transcoder.health.stopped)
      return { channelId, live: false, signal: false };
    return {
      channelId,
      live: true,
      eventId: stream.eventId,
      ...(stream.startedAt && { startedAt: stream.startedAt }),
      ...stream.transcoder.health.snapshot(),
    };
  };
  return {
    matches: (path) => PATH.test(path.split("?")[0] ?? ""),
    handle(req, res) {
      answer(req).then(
        (body) => {
          res.writeHead(200, {
            "content-type": "application/json",
            "cache-control": "private, no-store",
          });
          res.end(JSON.stringify(body));
        },
        (error: unknown) => {
          if (error instanceof HttpProblem) return sendHttpProblem(res, error);
          log({ level: "error", msg: "stream health failed", error: String(error) });
          sendProblem(res, serviceUnavailable("the stream's health could not be read; try again"));
        },
      );
    },
  };
}
