// A creator streaming, for tests: ffmpeg sends a test pattern over RTMP as OBS would (H.264 +
// AAC, a keyframe every 2 s) to the local stream-server.
import { type ChildProcess, spawn } from "node:child_process";
import { localPorts } from "../config.ts";

export interface Publisher {
  process: ChildProcess;
  /** ffmpeg's exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** What ffmpeg printed (errors only: the server's refusal, "Server error: …"), once it exited. */
  errors: Promise<string>;
}

/** A live stream as stream-server's status lists it (never its key). */
export interface LiveStreamStatus {
  streamId: string;
  channelId: string;
  eventId: string;
  startedAt?: string;
  ffmpegPid?: number;
  ffmpegRestarts: number;
}

/** The channel's live stream on the local stream-server, if there is one. */
export async function liveStream(channelId: string): Promise<LiveStreamStatus | undefined> {
  const response = await fetch(`http://127.0.0.1:${localPorts().streamServer}/streams`);
  const streams = (await response.json()) as LiveStreamStatus[];
  return streams.find((s) => s.channelId === channelId);
}

/**
 * ffmpeg publishing a test pattern to `url` (default: the local stream-server's RTMP) with the
 * stream key; an rtmps:// one is checked against the CA in `caFile`.
 */
export function publishTestPattern(
  streamKey: string,
  {
    seconds = 180,
    size = "1280x720",
    url = `rtmp://127.0.0.1:${localPorts().rtmp}/live`,
    caFile,
    audio = true,
    video = true,
    keyframeSeconds = 2,
  }: {
    seconds?: number;
    size?: string;
    url?: string;
    caFile?: string;
    /** Without audio, or without video (an encoder set so, or a camera without a microphone). */
    audio?: boolean;
    video?: boolean;
    /** Seconds between keyframes (OBS "auto" is about 8). */
    keyframeSeconds?: number;
  } = {},
): Publisher {
  const gop = String(Math.round(keyframeSeconds * 30));
  const child = spawn(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-re"],
      ...(video ? ["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=30`] : []),
      ...(audio ? ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"] : []),
      ...["-t", String(seconds)],
      ...(video
        ? [
            ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency"],
            ...["-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-pix_fmt", "yuv420p"],
          ]
        : []),
      ...(audio ? ["-c:a", "aac", "-b:a", "128k"] : []),
      ...["-f", "flv"],
      ...(caFile ? ["-tls_verify", "1", "-ca_file", caFile] : []),
      `${url}/${streamKey}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let errors = "";
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    errors = (errors + text).slice(-10_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  // "close": stderr is read to its end.
  const closed = new Promise<string>((resolve) => child.once("close", () => resolve(errors)));
  return { process: child, exited, errors: closed };
}
