// A poster the owner uploads for an event before it starts (#26 item 4): PUT
// /api/streams/events/:eventId/poster with the image as the body (JPEG, PNG or WebP, at most
// 5 MiB). Nothing of the upload is served as it came: its first bytes must say the type it
// claims, ffmpeg decodes it with that type's decoder only (no probing: a polyglot is read as
// the image it claims to be, or refused) and writes a new JPEG in the poster's two sizes,
// cropped to 16:9, metadata dropped, under a name stream-server chooses (HLS_DIR/posters/,
// served by the edge as /hls/posters/…). The event learns it from poster.uploaded.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import {
  createEvent,
  eventIdSchema,
  forbidden,
  GrpcStatus,
  HttpProblem,
  invalidInput,
  isGrpcStatus,
  log,
  notFound,
  requireSession,
  sendHttpProblem,
  sendProblem,
  serviceUnavailable,
} from "@stream-platform/shared";
import { POSTER_HEIGHTS } from "@stream-platform/shared/api";
import type { EventsClient } from "@stream-platform/shared/grpc";
import type { EventPublisher } from "@stream-platform/shared/kafka";

export const MAX_POSTER_BYTES = 5 * 1024 * 1024;
/** A larger picture is refused before it is decoded (a small file can unpack to gigabytes). */
const MAX_PIXELS = 40_000_000;
const PATH = /^\/api\/streams\/events\/([^/]+)\/poster$/;

/** The types taken, their first bytes, and the ffmpeg demuxer that reads only that type. */
const TYPES = {
  "image/jpeg": {
    demuxer: "jpeg_pipe",
    magic: (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  },
  "image/png": {
    demuxer: "png_pipe",
    magic: (b: Buffer) => b.subarray(0, 8).equals(Buffer.from("89504e470d0a1a0a", "hex")),
  },
  "image/webp": {
    demuxer: "webp_pipe",
    magic: (b: Buffer) =>
      b.subarray(0, 4).toString("latin1") === "RIFF" &&
      b.subarray(8, 12).toString("latin1") === "WEBP",
  },
} as const;
type PosterType = keyof typeof TYPES;

export interface PosterDeps {
  hlsDir: string;
  events: Pick<EventsClient, "getEvent">;
  publisher: Pick<EventPublisher, "publish">;
}

const problem = (status: number, title: string, field: string, detail: string) =>
  new HttpProblem({ status, title, detail, errors: [{ field, detail }] });

/** The body, refused with 413 as soon as it passes the limit (the rest is not kept). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_POSTER_BYTES) {
        reject(tooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const tooLarge = () =>
  problem(413, "Request body too large", "body", `a poster is at most ${MAX_POSTER_BYTES} bytes`);

/** ffmpeg's arguments for one picture of the filter graph's `label` output, as a JPEG. */
const jpegOut = (label: string, file: string) => [
  ...["-map", `[${label}]`, "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "4"],
  ...["-f", "image2", file],
];

/** ffmpeg: the upload decoded as its type only, re-encoded in both sizes (16:9, cropped). */
function reencode(image: Buffer, type: PosterType, large: string, small: string): Promise<void> {
  const size = (height: number) => `${Math.round((height * 16) / 9)}:${height}`;
  const fit = (height: number) =>
    `scale=${size(height)}:force_original_aspect_ratio=increase,crop=${size(height)},setsar=1`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      "ffmpeg",
      [
        ...["-v", "error", "-y", "-max_pixels", String(MAX_PIXELS)],
        ...["-f", TYPES[type].demuxer, "-i", "pipe:0", "-map_metadata", "-1"],
        ...[
          "-filter_complex",
          `[0:v]split=2[a][b];[a]${fit(POSTER_HEIGHTS.large)}[large];[b]${fit(POSTER_HEIGHTS.small)}[small]`,
        ],
        ...jpegOut("large", large),
        ...jpegOut("small", small),
      ],
      { timeout: 15_000 },
      (error) => (error ? reject(error) : resolve()),
    );
    child.stdin?.on("error", () => undefined); // ffmpeg may stop reading a broken image early
    child.stdin?.end(image);
  });
}

/**
 * PUT /api/streams/events/:eventId/poster: the event's owner only (401 without a session, 403
 * for anyone else, 404 for no such event, 409 once it started); 415 for a type not taken or
 * bytes that are not it, 413 over the limit, 422 for an image ffmpeg cannot read. 202 with the
 * poster's URLs once it is stored and the event told.
 */
export function posterUploadHandler(deps: PosterDeps): {
  matches(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
} {
  const dir = join(deps.hlsDir, "posters");
  const answer = async (req: IncomingMessage) => {
    if (req.method !== "PUT")
      throw new HttpProblem(
        { status: 405, title: "Method not allowed", detail: "PUT the image" },
        { allow: "PUT" },
      );
    // A session (a cookie's write must come from this site's pages: requireSession checks).
    const { userId } = await requireSession(req);
    const segment = new URL(req.url ?? "/", "http://stream-server").pathname.match(PATH)?.[1] ?? "";
    const eventId = eventIdSchema.safeParse(segment);
    if (!eventId.success)
      throw new HttpProblem(invalidInput([{ field: "eventId", detail: "not a valid event id" }]));
    // Who asks and for what first; what they send after.
    const event = await deps.events.getEvent(eventId.data).catch((error: unknown) => {
      if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) throw notFound(`no event ${eventId.data}`);
      throw error;
    });
    if (event.ownerId !== userId) throw forbidden("only the event's owner may give it a poster");
    if (event.status !== "scheduled")
      throw problem(
        409,
        "Too late for a poster",
        "eventId",
        `the event is ${event.status}: its stream's frames are its poster`,
      );
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!(type in TYPES))
      throw problem(
        415,
        "Unsupported media type",
        "content-type",
        `send image/jpeg, image/png or image/webp, not "${type || "nothing"}"`,
      );
    if (Number(req.headers["content-length"] ?? 0) > MAX_POSTER_BYTES) throw tooLarge();
    const image = await readBody(req);
    const posterType = type as PosterType;
    if (!TYPES[posterType].magic(image))
      throw problem(
        415,
        "Not the type it says",
        "body",
        `the body does not begin as a ${posterType} file does`,
      );
    mkdirSync(dir, { recursive: true });
    const name = `${eventId.data}-${randomBytes(8).toString("hex")}`;
    const files = { large: join(dir, `${name}.jpg`), small: join(dir, `${name}-small.jpg`) };
    // Written aside first (the edge never serves a .tmp), then renamed into place.
    const tmp = { large: `${files.large}.tmp`, small: `${files.small}.tmp` };
    try {
      await reencode(image, posterType, tmp.large, tmp.small);
    } catch {
      for (const file of Object.values(tmp)) rmSync(file, { force: true });
      throw problem(
        422,
        "Not a readable image",
        "body",
        `the body is not a ${posterType} image that can be read (or it is over ${MAX_PIXELS} pixels)`,
      );
    }
    renameSync(tmp.small, files.small);
    renameSync(tmp.large, files.large);
    const posterPath = `/hls/posters/${name}.jpg`;
    await deps.publisher.publish([
      createEvent({
        type: "streamplatform.poster.uploaded",
        source: "/stream-server",
        subject: eventId.data,
        data: { eventId: eventId.data, channelId: event.channelId, posterPath },
      }),
    ]);
    return { posterUrl: posterPath, posterSmallUrl: `/hls/posters/${name}-small.jpg` };
  };
  return {
    matches: (path) => PATH.test(path.split("?")[0] ?? ""),
    handle(req, res) {
      answer(req).then(
        (body) => {
          res.writeHead(202, { "content-type": "application/json", "cache-control": "no-store" });
          res.end(JSON.stringify(body));
        },
        (error: unknown) => {
          req.resume();
          if (error instanceof HttpProblem) return sendHttpProblem(res, error);
          log({ level: "error", msg: "poster upload failed", error: String(error) });
          sendProblem(res, serviceUnavailable("the poster could not be stored; try again"));
        },
      );
    },
  };
}
