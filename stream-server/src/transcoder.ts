// One ffmpeg per live stream, fed FLV from the broadcast, encoding the ladder and the poster.
// It starts once it is known what the publisher sends (stream-shape.ts), with the ladder fitted to
// that (ladder.ts). Each rendition leaves ffmpeg as fragmented MP4 over a Unix socket of its own,
// and its packager (ll-hls-writer.ts) writes the LL-HLS parts, segments and playlist. If ffmpeg
// dies while the publisher is still there, a new one continues the same playlists (with a
// discontinuity), fed from the broadcast's last keyframe, after a back-off that grows with each
// failure; too many failures in a short while and it gives up ("failed"): the stream then ends
// with what it recorded so far.
import { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import ffmpeg from "fluent-ffmpeg";
import { EncoderHealth } from "./health.ts";
import {
  fittingKeyframeMs,
  type Ladder,
  LIVE_POSTERS,
  PART_TARGET,
  planLadder,
  posterOptions,
  type Rung,
  segmentCutSeconds,
  transcodeOptions,
} from "./ladder.ts";
import { RenditionWriter, type RunClock } from "./ll-hls-writer.ts";
import { RestartBackoff } from "./restarts.ts";
import { FlvWatch, settledShape } from "./stream-shape.ts";

export interface TranscoderOptions {
  dir: string;
  rungs: Rung[];
  segmentSeconds: number;
  preset: string;
  posterSeconds: number;
  /** Attaches a new feed of the stream to `sink`; returns its detach. */
  feed(sink: Writable): () => void;
  log(message: string): void;
}

export class Transcoder extends EventEmitter {
  private command?: ffmpeg.FfmpegCommand;
  private input?: Writable;
  private detach?: () => void;
  /** The watch on what the publisher sends (its keyframe interval, for the health). */
  private detachWatch?: () => void;
  private watch?: FlvWatch;
  /** The watch on the current ffmpeg's own feed: where its timestamps start. */
  private detachRunWatch?: () => void;
  /** Each rendition's packager, and the socket its ffmpeg output comes in on. */
  private readonly writers = new Map<string, RenditionWriter>();
  private readonly servers: Server[] = [];
  private socketDir?: string;
  /** The current ffmpeg's frames' wall-clock times. */
  private clock: RunClock = () => Date.now();
  private readonly backoff = new RestartBackoff();
  private stopping = false;
  private stopped?: Promise<void>;
  /** An ffmpeg was started and has not exited yet (its pid may not be known yet). */
  private running = false;
  private finished?: Promise<void>;
  private settle?: () => void;
  restarts = 0;
  pid?: number;
  /** The renditions, once the stream's shape is known (start()). */
  ladder?: Ladder;
  /** Input bitrate, fps, speed, dropped frames, picture size (health.ts). */
  readonly health = new EncoderHealth();

  constructor(private readonly options: TranscoderOptions) {
    super();
  }

  /**
   * Finds out what the publisher sends (a few seconds at most), then starts ffmpeg with the
   * ladder for it. Undefined when stopped before (the publisher left).
   */
  async start(): Promise<Ladder | undefined> {
    const { rungs, segmentSeconds } = this.options;
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
    // The keyframe interval matters only when there is a source to keep or leave out.
    const sourceToKeepOrDrop =
      rungs.some((r) => r.height === undefined) && rungs.some((r) => r.height !== undefined);
    const watch = new FlvWatch({
      keyframeLimitMs: sourceToKeepOrDrop ? fittingKeyframeMs(segmentSeconds) : undefined,
    });
    this.detachWatch = this.options.feed(watch);
    this.watch = watch;
    this.health.keyframes = () => watch.keyframeMs;
    const shape = await settledShape(watch, () => this.stopping);
    if (!shape) {
      this.settle?.();
      return undefined;
    }
    const ladder = planLadder(rungs, shape, segmentSeconds);
    this.ladder = ladder;
    if (ladder.sourceLeftOut) {
      this.health.notice = ladder.sourceLeftOut;
      this.options.log(ladder.sourceLeftOut);
    }
    await this.listen(ladder);
    if (this.stopping) {
      // Stopped while the sockets were being opened: stop() may have missed them.
      this.closeSockets();
      this.settle?.();
      return undefined;
    }
    this.spawn(ladder);
    return ladder;
  }

  /** A rendition's packager (for the blocking playlist requests), while the stream is live. */
  rendition(name: string): RenditionWriter | undefined {
    return this.writers.get(name);
  }

  /** Each rendition's folder, packager, and socket for ffmpeg's output. */
  private async listen(ladder: Ladder): Promise<void> {
    const { dir, segmentSeconds } = this.options;
    this.socketDir = mkdtempSync(join(tmpdir(), "ladder-"));
    const cut = segmentCutSeconds(ladder, segmentSeconds);
    await Promise.all(
      ladder.rungs.map((rung) => {
        mkdirSync(join(dir, rung.name), { recursive: true });
        const writer = new RenditionWriter({
          dir: join(dir, rung.name),
          targetDuration: segmentSeconds,
          segmentSeconds: cut,
          partTarget: PART_TARGET,
        });
        this.writers.set(rung.name, writer);
        // Each ffmpeg run connects once per rendition: its output, to the end.
        const server = createServer((socket) => {
          writer.write(socket, this.clock).catch((error: unknown) => {
            this.options.log(`${rung.name}: packaging failed: ${String(error)}`);
            socket.destroy();
          });
        });
        this.servers.push(server);
        return new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(this.socketPath(rung), resolve);
        });
      }),
    );
  }

  private socketPath(rung: Rung): string {
    return join(this.socketDir as string, `${rung.name}.sock`);
  }

  /**
   * The wall-clock time of this run's frames: ffmpeg's output times start at 0 with the first
   * frame it was fed, whose timestamp the run's own watch saw; the stream's watch knows when a
   * frame of a timestamp came in.
   */
  private runClock(runWatch: FlvWatch): RunClock {
    return (media) => {
      const first = runWatch.firstMediaDts;
      const wall = first === undefined ? undefined : this.watch?.wallClockAt(first + media * 1000);
      return wall ?? Date.now();
    };
  }

  private spawn(ladder: Ladder): void {
    const { dir, segmentSeconds, preset, posterSeconds } = this.options;
    const input = this.health.input({ highWaterMark: 4 * 1024 * 1024 });
    const { filter, outputs } = transcodeOptions({ ladder, segmentSeconds, preset, posterSeconds });
    const command = ffmpeg({ source: input, cwd: dir, logger: undefined })
      .inputFormat("flv")
      // Start as soon as the headers are read: the publisher's metadata says what is inside.
      .inputOptions(["-analyzeduration", "1000000", "-probesize", "1000000"]);
    if (filter) command.complexFilter(filter);
    // Spread: given one array, fluent-ffmpeg splits any option with a single space in two.
    for (const { rung, options } of outputs)
      command.output(`unix:${this.socketPath(rung)}`).outputOptions(...options);
    // The live posters, from the same pictures (a stream without video has none).
    if (ladder.video)
      command
        .output(LIVE_POSTERS.large)
        .outputOptions(posterOptions())
        .output(LIVE_POSTERS.small)
        .outputOptions(posterOptions(true));
    command.on("start", () => {
      this.pid = (command as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc?.pid;
    });
    command.on("error", (error: Error, _stdout: string | null, stderr: string | null) =>
      this.exited(error, stderr ?? ""),
    );
    command.on("end", () => this.exited());
    command.on("stderr", (line: string) => this.health.read(line));
    this.command = command;
    this.input = input;
    // The run's watch first, fed the same frames from the broadcast as ffmpeg.
    const runWatch = new FlvWatch();
    this.clock = this.runClock(runWatch);
    this.detachRunWatch = this.options.feed(runWatch);
    this.detach = this.options.feed(input);
    this.running = true;
    command.run();
  }

  private exited(error?: Error, stderr = ""): void {
    this.running = false;
    this.detach?.();
    this.detach = undefined;
    this.detachRunWatch?.();
    this.detachRunWatch = undefined;
    this.pid = undefined;
    if (this.stopping) {
      this.settle?.();
      return;
    }
    // The publisher is still there: continue the recording with a new ffmpeg, unless it keeps
    // failing (then what it recorded so far is what there is).
    // What it said went wrong (its last lines are statistics otherwise).
    const lines = stderr.trim().split("\n");
    const said = lines.filter((l) => /error|invalid|failed|could not|cannot|no such/i.test(l));
    const tail = (said.length ? said : lines).slice(-3).join(" | ");
    const exit = `ffmpeg exited (${error?.message ?? "no error"}${tail ? `: ${tail}` : ""})`;
    const delay = this.backoff.next();
    if (delay === undefined) {
      this.options.log(`${exit}; ${this.backoff.failures} failures within a minute: giving up`);
      this.emit("failed", exit);
      return;
    }
    this.options.log(`${exit}; restarting in ${delay} ms`);
    this.restarts += 1;
    this.health.restarted();
    this.emit("restart");
    setTimeout(() => {
      if (!this.stopping && this.ladder) this.spawn(this.ladder);
      else this.settle?.();
    }, delay);
  }

  /**
   * Ends the input; ffmpeg writes its last fragments and exits (killed after `graceMs`); then
   * every playlist ends.
   */
  stop(graceMs = 15_000): Promise<void> {
    this.stopped ??= (async () => {
      await this.stopEncoder(graceMs);
      await Promise.all([...this.writers.values()].map((writer) => writer.end()));
      this.closeSockets();
    })();
    return this.stopped;
  }

  private closeSockets(): void {
    for (const server of this.servers.splice(0)) server.close();
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
  }

  private async stopEncoder(graceMs: number): Promise<void> {
    this.stopping = true;
    this.health.stopped = true;
    this.detachWatch?.();
    this.detachWatch = undefined;
    this.detach?.();
    this.detach = undefined;
    if (!this.running) {
      this.settle?.();
      return this.finished;
    }
    this.input?.end();
    const timer = setTimeout(() => this.command?.kill("SIGKILL"), graceMs);
    await this.finished;
    clearTimeout(timer);
  }
}
