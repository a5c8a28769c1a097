// One ffmpeg per live stream, fed FLV from the broadcast, writing the HLS ladder and the poster.
// If ffmpeg dies while the publisher is still there, a new one continues the same playlists
// (appended, with a discontinuity), fed from the broadcast's last keyframe.
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { PassThrough } from "node:stream";
import ffmpeg from "fluent-ffmpeg";
import { EncoderHealth } from "./health.ts";
import { LIVE_POSTERS, posterOptions, type Rung, transcodeOptions } from "./ladder.ts";

export interface TranscoderOptions {
  dir: string;
  rungs: Rung[];
  segmentSeconds: number;
  preset: string;
  posterSeconds: number;
  /** Attaches a new feed of the stream to `sink`; returns its detach. */
  feed(sink: PassThrough): () => void;
  log(message: string): void;
}

export class Transcoder extends EventEmitter {
  private command?: ffmpeg.FfmpegCommand;
  private input?: PassThrough;
  private detach?: () => void;
  private stopping = false;
  /** An ffmpeg was started and has not exited yet (its pid may not be known yet). */
  private running = false;
  private finished?: Promise<void>;
  private settle?: () => void;
  restarts = 0;
  pid?: number;
  /** Input bitrate, fps, speed, dropped frames, picture size (health.ts). */
  readonly health = new EncoderHealth();

  constructor(private readonly options: TranscoderOptions) {
    super();
  }

  start(): void {
    for (const rung of this.options.rungs)
      mkdirSync(join(this.options.dir, rung.name), { recursive: true });
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.spawn(false);
  }

  private spawn(resume: boolean): void {
    const { dir, rungs, segmentSeconds, preset, posterSeconds } = this.options;
    const input = this.health.input({ highWaterMark: 4 * 1024 * 1024 });
    const { filter, options } = transcodeOptions({
      rungs,
      segmentSeconds,
      preset,
      posterSeconds,
      resume,
    });
    const command = ffmpeg({ source: input, cwd: dir, logger: undefined })
      .inputFormat("flv")
      // Start as soon as the headers are read: the publisher's metadata says what is inside.
      .inputOptions(["-analyzeduration", "1000000", "-probesize", "1000000"])
      .complexFilter(filter)
      .output("%v/index.m3u8")
      .outputOptions(options)
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
    this.detach = this.options.feed(input);
    this.running = true;
    command.run();
  }

  private exited(error?: Error, stderr = ""): void {
    this.running = false;
    this.detach?.();
    this.detach = undefined;
    this.pid = undefined;
    if (this.stopping) {
      this.settle?.();
      return;
    }
    // The publisher is still there: continue the recording with a new ffmpeg.
    const tail = stderr.trim().split("\n").slice(-3).join(" | ");
    this.options.log(
      `ffmpeg exited (${error?.message ?? "no error"}${tail ? `: ${tail}` : ""}); restarting`,
    );
    this.restarts += 1;
    this.health.restarted();
    this.emit("restart");
    setTimeout(() => {
      if (!this.stopping) this.spawn(true);
      else this.settle?.();
    }, 500);
  }

  /** Ends the input; ffmpeg writes its last segments and exits (killed after `graceMs`). */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.stopping) return this.finished;
    this.stopping = true;
    this.health.stopped = true;
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
