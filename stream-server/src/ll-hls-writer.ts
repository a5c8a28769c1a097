// One rendition's Low-Latency HLS files, from the fragmented MP4 its encoder writes: the init
// segment of each encoder run, every fragment as a part file the moment it is complete, the
// segments (their parts, end to end), and the media playlist after every part. NGINX serves
// the files; a blocking playlist reload, or a request for the part a playlist hints at before it
// exists, waits here (waitFor) until the playlist has it.
import { appendFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Fmp4Splitter, type Init, readFragment, readInit } from "./fmp4.ts";
import { LivePlaylist, type LivePlaylistOptions, type Position } from "./ll-hls.ts";

/** The media playlist's file name in a rendition's folder. */
export const MEDIA_PLAYLIST = "index.m3u8";

export const segmentFile = (msn: number) => `seg_${String(msn).padStart(5, "0")}.m4s`;
export const partFile = (msn: number, part: number) =>
  `part_${String(msn).padStart(5, "0")}_${part}.m4s`;
export const initFile = (run: number) => `init_${run}.mp4`;
/** Requests held at once by a rendition: beyond, a request is answered 503 at once. */
const MAX_WAITING = 5000;
/** A part file's name (only live playlists list them; a recording keeps none). */
export const PART_FILE = /^part_\d+_\d+\.m4s$/;

export interface RenditionWriterOptions
  extends Omit<LivePlaylistOptions, "segmentUri" | "partUri"> {
  /** The rendition's folder. */
  dir: string;
}

/** The wall-clock time (ms since the epoch) of an encoder run's frame at a media time (s). */
export type RunClock = (mediaSeconds: number) => number;

interface Waiter {
  at: Position;
  resolve(found: boolean): void;
}

export class RenditionWriter {
  readonly playlist: LivePlaylist;
  private runs = 0;
  private waiters: Waiter[] = [];
  /** Resolves once the last run's output is all written (end()). */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: RenditionWriterOptions) {
    this.playlist = new LivePlaylist({
      ...options,
      segmentUri: segmentFile,
      partUri: partFile,
    });
  }

  /**
   * Writes one encoder run's output, read to its end. Runs follow each other: a new encoder's
   * output is written once the previous one's is.
   */
  write(source: AsyncIterable<Buffer>, clock: RunClock): Promise<void> {
    const run = this.writing.then(() => this.writeRun(source, clock));
    this.writing = run.catch(() => {});
    return run;
  }

  private async writeRun(source: AsyncIterable<Buffer>, clock: RunClock): Promise<void> {
    const splitter = new Fmp4Splitter();
    let init: Init | undefined;
    for await (const chunk of source) {
      const out = splitter.push(chunk);
      if (out.init) {
        init = readInit(out.init);
        const map = initFile(this.runs++);
        await writeFile(join(this.options.dir, map), out.init);
        // The previous run's last segment is complete: its file first, then the playlist.
        const closed = this.playlist.current;
        if (closed) await this.completeSegment(closed.msn);
        this.playlist.startRun(map);
      }
      for (const bytes of out.fragments) {
        if (!init) throw new Error("a fragment before the init segment");
        await this.addPart(bytes, init, clock);
      }
    }
  }

  private async addPart(bytes: Buffer, init: Init, clock: RunClock): Promise<void> {
    const fragment = readFragment(bytes, init.tracks);
    // The files first, then the playlist: it never lists a file that is not all there.
    const at = this.playlist.next(fragment);
    if (at.closes) await this.completeSegment(at.closes.msn);
    // Under its name once whole: NGINX serves a part by its name as soon as it exists, and a
    // hinted part asked for before then must wait at stream-server, not come back half.
    const part = join(this.options.dir, at.uri);
    await writeFile(`${part}.tmp`, bytes);
    await rename(`${part}.tmp`, part);
    await appendFile(join(this.options.dir, `${segmentFile(at.msn)}.tmp`), bytes);
    this.playlist.add(fragment, clock(fragment.start));
    await this.publish();
    if (at.closes) await this.dropOldParts();
  }

  /** A segment's file, appended to part by part, under its name once whole. */
  private completeSegment(msn: number): Promise<void> {
    const file = join(this.options.dir, segmentFile(msn));
    return rename(`${file}.tmp`, file);
  }

  private async dropOldParts(): Promise<void> {
    const dropped = this.playlist.dropParts();
    await Promise.all(dropped.map((uri) => unlink(join(this.options.dir, uri)).catch(() => {})));
  }

  /** Writes the media playlist (whole, by a rename) and answers the requests it satisfies. */
  private async publish(): Promise<void> {
    const text = this.playlist.render();
    const file = join(this.options.dir, MEDIA_PLAYLIST);
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
    for (const waiter of this.waiters.filter((w) => this.playlist.has(w.at))) waiter.resolve(true);
  }

  /**
   * The playlist once it has `at` (a blocking reload), with the old segments skipped if asked;
   * undefined if it did not come within `timeoutMs` or `signal` gave up waiting (the client
   * left), "busy" if MAX_WAITING requests wait already.
   */
  async waitFor(
    at: Position,
    timeoutMs: number,
    skip = false,
    signal?: AbortSignal,
  ): Promise<string | "busy" | undefined> {
    if (!this.playlist.has(at)) {
      if (this.waiters.length >= MAX_WAITING) return "busy";
      const found = await new Promise<boolean>((resolve) => {
        const done = (value: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", gone);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(value);
        };
        const gone = () => done(false);
        const waiter: Waiter = { at, resolve: done };
        const timer = setTimeout(gone, timeoutMs);
        timer.unref();
        signal?.addEventListener("abort", gone, { once: true });
        this.waiters.push(waiter);
      });
      if (!found) return undefined;
    }
    return this.playlist.render(skip);
  }

  /** The playlist now (a request that does not wait), the old segments skipped if asked. */
  render(skip = false): string {
    return this.playlist.render(skip);
  }

  get targetDuration(): number {
    return this.options.targetDuration;
  }

  /** Whether a blocking reload for `at` is too far ahead to hold (answered 400). */
  tooFar(at: Position): boolean {
    return this.playlist.tooFar(at);
  }

  /**
   * The stream ended: once the last run's output is written, the last segment is completed and
   * the playlist ends (EXT-X-ENDLIST). Every waiting request is answered.
   */
  async end(): Promise<void> {
    await this.writing;
    const last = this.playlist.end();
    if (last) await this.completeSegment(last.msn);
    await this.publish();
  }
}
