// A creator streaming, for tests: ffmpeg sends a test pattern over RTMP as OBS would (H.264 +
// AAC, a keyframe every 2 s) to the local stream-server.
import { type ChildProcess, spawn } from "node:child_process";
import { localPorts } from "../config.ts";

export interface Publisher {
  process: ChildProcess;
  /** ffmpeg's exit code (null when killed by a signal). */
  exited: Promise<number | null>;
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
  }: { seconds?: number; size?: string; url?: string; caFile?: string } = {},
): Publisher {
  const child = spawn(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-re"],
      ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=30`],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
      ...["-t", String(seconds), "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency"],
      ...["-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-pix_fmt", "yuv420p"],
      ...["-c:a", "aac", "-b:a", "128k", "-f", "flv"],
      ...(caFile ? ["-tls_verify", "1", "-ca_file", caFile] : []),
      `${url}/${streamKey}`,
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { process: child, exited };
}
