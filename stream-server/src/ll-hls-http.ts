// The LL-HLS requests that wait (RFC 8216bis 6.2.5): a blocking playlist reload
// (`index.m3u8?_HLS_msn=M&_HLS_part=P`, with `_HLS_skip=YES` for a delta update), answered the
// moment the rendition's playlist has that part, and a part asked for before it exists (the
// playlist's EXT-X-PRELOAD-HINT), answered once it is written. The edge sends only these here;
// it serves every file that exists itself.
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream";
import { type FieldProblem, invalidInput, sendProblem } from "@stream-platform/shared";
import type { Position } from "./ll-hls.ts";
import { MEDIA_PLAYLIST, partFile, type RenditionWriter } from "./ll-hls-writer.ts";

const PATH = /^\/hls\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)\/(?:(index\.m3u8)|part_(\d+)_(\d+)\.m4s)$/;

/** What a rendition holds a request for at most: three target durations (RFC 8216bis). */
const holdMs = (targetDuration: number) => 3 * targetDuration * 1000;

export interface LlHlsOptions {
  hlsDir: string;
  /** The live rendition's packager, if the event is live here. */
  rendition(eventId: string, name: string): RenditionWriter | undefined;
}

export class LlHlsRequests {
  constructor(private readonly options: LlHlsOptions) {}

  matches(url: string): boolean {
    return PATH.test(url.split("?")[0] ?? "");
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stream-server");
    const [, eventId = "", name = "", playlist, msn, part] = PATH.exec(url.pathname) ?? [];
    const writer = this.options.rendition(eventId, name);
    if (playlist) await this.playlist(url.searchParams, eventId, name, writer, res);
    else await this.part(Number(msn), Number(part), eventId, name, writer, res);
  }

  private async playlist(
    query: URLSearchParams,
    eventId: string,
    name: string,
    writer: RenditionWriter | undefined,
    res: ServerResponse,
  ): Promise<void> {
    const read = readBlockingQuery(query);
    if ("problems" in read) {
      sendProblem(res, invalidInput(read.problems, "Invalid playlist request"));
      return;
    }
    if (!writer) {
      // Not live here (ended, or never was): the playlist as it is, which answers any request.
      const text = await readFile(
        join(this.options.hlsDir, eventId, name, MEDIA_PLAYLIST),
        "utf8",
      ).catch(() => undefined);
      if (text === undefined) notFound(res);
      else sendPlaylist(res, text);
      return;
    }
    if (read.at && writer.tooFar(read.at)) {
      sendProblem(res, {
        status: 400,
        title: "Invalid playlist request",
        detail: `_HLS_msn: segment ${read.at.msn} is more than one beyond the one being written`,
        errors: [{ field: "_HLS_msn", detail: "beyond the next segment" }],
      });
      return;
    }
    const text = read.at
      ? await writer.waitFor(read.at, holdMs(writer.targetDuration), read.skip, left(res))
      : writer.render(read.skip);
    if (text === undefined || text === "busy") unavailable(res, text);
    else sendPlaylist(res, text);
  }

  private async part(
    msn: number,
    part: number,
    eventId: string,
    name: string,
    writer: RenditionWriter | undefined,
    res: ServerResponse,
  ): Promise<void> {
    if (!writer) {
      notFound(res);
      return;
    }
    if (writer.tooFar({ msn, part })) {
      notFound(res);
      return;
    }
    const text = await writer.waitFor(
      { msn, part },
      holdMs(writer.targetDuration),
      false,
      left(res),
    );
    if (text === undefined || text === "busy") {
      unavailable(res, text);
      return;
    }
    const file = join(this.options.hlsDir, eventId, name, partFile(msn, part));
    const stream = createReadStream(file);
    stream.once("error", () => !res.headersSent && notFound(res));
    stream.once("open", () => {
      res.writeHead(200, {
        "content-type": "video/iso.segment",
        "cache-control": "public, max-age=31536000, immutable",
      });
      // Closed with the response, however it ends (a client that leaves mid-part).
      pipeline(stream, res, () => {});
    });
  }
}

/** A blocking reload's query: where to answer, and whether to skip the old segments. */
export function readBlockingQuery(
  query: URLSearchParams,
): { at?: Position; skip: boolean } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const count = (field: string): number | undefined => {
    const value = query.get(field);
    if (value === null) return undefined;
    if (!/^\d{1,9}$/.test(value)) {
      problems.push({ field, detail: "a whole number, 0 or more" });
      return undefined;
    }
    return Number(value);
  };
  const msn = count("_HLS_msn");
  const part = count("_HLS_part");
  const skip = query.get("_HLS_skip");
  if (skip !== null && skip !== "YES" && skip !== "v2")
    problems.push({ field: "_HLS_skip", detail: "YES or v2" });
  if (part !== undefined && msn === undefined && !problems.some((p) => p.field === "_HLS_msn"))
    problems.push({ field: "_HLS_part", detail: "given without _HLS_msn" });
  if (problems.length > 0) return { problems };
  // _HLS_skip alone: the playlist as it is now, delta.
  return {
    ...(msn !== undefined && { at: { msn, ...(part !== undefined && { part }) } }),
    skip: skip !== null,
  };
}

function sendPlaylist(res: ServerResponse, text: string): void {
  res.writeHead(200, {
    "content-type": "application/vnd.apple.mpegurl",
    "cache-control": "public, max-age=1",
  });
  res.end(text);
}

function notFound(res: ServerResponse): void {
  sendProblem(res, { status: 404, title: "Not found", detail: "no such live rendition or part" });
}

/** A signal that aborts when the client leaves before its answer (the wait ends with it). */
function left(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once("close", () => controller.abort());
  return controller.signal;
}

function unavailable(res: ServerResponse, why?: "busy"): void {
  if (res.destroyed) return;
  sendProblem(res, {
    status: 503,
    title: why === "busy" ? "Busy" : "Not yet",
    detail:
      why === "busy"
        ? "too many requests wait for this rendition's parts; try again"
        : "the part did not come within three target durations",
  });
}
