// The HLS ladder: which renditions, and the ffmpeg arguments that make them. The source is passed
// through untouched (no quality lost, no CPU spent); the smaller renditions are encoded. The
// ladder follows what the publisher sends (stream-shape.ts): video without audio gets renditions
// without audio, audio alone one AAC rendition and no poster.
//
// Keyframes: a player switches renditions at segment boundaries, so every rendition in a master
// must cut its segments at the same instants. The passed-through source can only cut where the
// publisher put keyframes. When those come at most about a segment apart (OBS at 1–2 s), the
// encoded renditions copy them (`-force_key_frames source`): all cut on the same frames, exactly.
// When they are further apart (OBS "auto": ~8 s), following them would make every segment that
// long, so the encoded renditions put keyframes on the segment clock instead (aligned with each
// other, at the configured length) and the source is left out: it could never be aligned with
// them, and a player must not be handed renditions that are not. The health says why.

import { POSTER_FILES, POSTER_HEIGHTS } from "@stream-platform/shared/api";

export interface Rung {
  name: string;
  /** Output height; undefined for the source, passed through. */
  height?: number;
  /** Video bitrate in kbit/s (encoded rungs). */
  videoKbps?: number;
}

export const AUDIO_KBPS = 128;
const DEFAULT_KBPS: Record<number, number> = {
  1080: 5000,
  720: 2800,
  480: 1400,
  360: 800,
  240: 400,
};

/** `source,480p,360p:700` → rungs; throws naming the bad entry. */
export function parseLadder(spec: string): Rung[] {
  const rungs = spec
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry): Rung => {
      if (entry === "source") return { name: "source" };
      const match = /^(\d{3,4})p(?::(\d{2,5}))?$/.exec(entry);
      if (!match)
        throw new Error(
          `HLS_LADDER: "${entry}" is neither "source" nor like "480p" or "480p:1400"`,
        );
      const height = Number(match[1]);
      const videoKbps = match[2]
        ? Number(match[2])
        : (DEFAULT_KBPS[height] ?? Math.round(height * 3));
      return { name: `${height}p`, height, videoKbps };
    });
  if (rungs.length === 0) throw new Error("HLS_LADDER: at least one rendition");
  return rungs;
}

/** What a publisher sends (stream-shape.ts finds it out before the encoder starts). */
export interface StreamShape {
  audio: boolean;
  video: boolean;
  /**
   * Milliseconds between the source's first two keyframes; when the second did not come in
   * time, how long it was waited for (so: at least this). Unknown when it was not needed.
   */
  keyframeMs?: number;
}

/** The renditions a stream gets, and how its encoded renditions place their keyframes. */
export interface Ladder {
  rungs: Rung[];
  audio: boolean;
  video: boolean;
  /** `source`: where the source has keyframes; `clock`: every segment length. */
  keyframes: "source" | "clock";
  /** Why the configured source rendition is not in this ladder (in a person's words). */
  sourceLeftOut?: string;
  /** With the source's keyframes: how far apart they are (ms), as measured. */
  sourceKeyframeMs?: number;
}

/** The rendition of a stream without video. */
export const AUDIO_ONLY: Rung = { name: "audio" };

/**
 * Source keyframes this much longer apart than a segment still count as fitting (an encoder's
 * "2 s" at 29.97 fps is 2.002 s, say): the segments get that much longer, no more.
 */
const KEYFRAME_SLACK_MS = 250;

/** The ms a source's keyframes may be apart for it to stay in the ladder. */
export const fittingKeyframeMs = (segmentSeconds: number) =>
  segmentSeconds * 1000 + KEYFRAME_SLACK_MS;

/** The configured rungs, fitted to what the stream carries (see the top of this file). */
export function planLadder(rungs: Rung[], shape: StreamShape, segmentSeconds: number): Ladder {
  if (!shape.video) return { rungs: [AUDIO_ONLY], audio: true, video: false, keyframes: "clock" };
  const tracks = { audio: shape.audio, video: true };
  const encoded = rungs.filter((r) => r.height !== undefined);
  const source = rungs.find((r) => r.height === undefined);
  if (!source) return { rungs, ...tracks, keyframes: "clock" };
  if (encoded.length === 0) return { rungs, ...tracks, keyframes: "source" };
  const fits =
    shape.keyframeMs !== undefined && shape.keyframeMs <= fittingKeyframeMs(segmentSeconds);
  if (fits) return { rungs, ...tracks, keyframes: "source", sourceKeyframeMs: shape.keyframeMs };
  return {
    rungs: encoded,
    ...tracks,
    keyframes: "clock",
    sourceLeftOut: `The original quality is not offered: its keyframes come more than ${segmentSeconds} s apart, longer than a segment. Set the encoder's keyframe interval to ${segmentSeconds} s.`,
  };
}

export interface TranscodeArgs {
  ladder: Ladder;
  segmentSeconds: number;
  preset: string;
  posterSeconds: number;
}

/**
 * LL-HLS parts: ffmpeg closes a fragment at the first frame 0.2 s or more after its start, so a
 * fragment lasts up to a frame longer (0.242 s at 24 fps, an AAC frame more without video):
 * the playlists' PART-TARGET allows that.
 */
export const PART_SECONDS = 0.2;
export const PART_TARGET = 0.25;

/**
 * Each rendition's output: fragmented MP4 (CMAF) to a stream, a fragment every PART_SECONDS
 * and one at every keyframe, which the packager (ll-hls-writer.ts) makes parts and segments
 * of. Timestamps are kept as they are (not shifted for the AAC encoder's priming), so a
 * fragment's times are its frames'.
 */
export const fragmentedMp4Options = () => [
  "-f",
  "mp4",
  "-movflags",
  "empty_moov+default_base_moof+frag_keyframe",
  "-frag_duration",
  String(PART_SECONDS * 1_000_000),
  "-avoid_negative_ts",
  "disabled",
];

/**
 * How long a segment is at least before the packager cuts it at the next keyframe: the
 * configured length on the segment clock; with the source's keyframes, the longest whole number
 * of their intervals within it (keyframes 1.5 s apart make 1.5 s segments, not 3 s ones).
 */
export function segmentCutSeconds(ladder: Ladder, segmentSeconds: number): number {
  const interval = (ladder.sourceKeyframeMs ?? 0) / 1000;
  if (ladder.keyframes !== "source" || !(interval > 0)) return segmentSeconds;
  return (
    Math.max(1, Math.floor((segmentSeconds * 1000 + KEYFRAME_SLACK_MS) / (interval * 1000))) *
    interval
  );
}

/**
 * ffmpeg's options for the ladder, FLV on stdin: one output per rendition, each its own options
 * (the output's target is the caller's). `filter` (the scaled pictures and the posters) is
 * absent without video.
 */
export function transcodeOptions(args: TranscodeArgs): {
  filter?: string;
  outputs: { rung: Rung; options: string[] }[];
} {
  const { ladder } = args;
  const encoded = ladder.rungs.filter((r) => r.height !== undefined);
  const splits = encoded.length + 1; // one more branch for the poster
  const labels = Array.from({ length: splits }, (_, i) => `[s${i}]`).join("");
  const filter = ladder.video
    ? [
        `[0:v]split=${splits}${labels}`,
        ...encoded.map((r, i) => `[s${i}]scale=-2:${r.height}[v${i}]`),
        // The poster in its two sizes: cards ask for the small one, the watch page the large.
        `[s${encoded.length}]fps=1/${args.posterSeconds},scale=-2:${POSTER_HEIGHTS.large},split=2[poster][p1]`,
        `[p1]scale=-2:${POSTER_HEIGHTS.small}[poster_small]`,
      ].join(";")
    : undefined;
  // On the segment clock: a keyframe at the first frame `segmentSeconds` after the last forced
  // one (the first frame is one).
  const forceKeyFrames =
    ladder.keyframes === "source" ? "source" : `expr:gte(t,n_forced*${args.segmentSeconds})`;

  let encodedIndex = 0;
  const outputs = ladder.rungs.map((rung) => {
    const options: string[] = [];
    if (ladder.video && rung.height === undefined) options.push("-map", "0:v:0", "-c:v", "copy");
    else if (ladder.video) {
      const kbps = rung.videoKbps ?? 800;
      options.push(
        // zerolatency: no lookahead, no B-frames, threads on slices of a frame rather than on
        // frames, so a frame leaves x264 as soon as it is coded (about 0.5 s sooner at
        // veryfast), and a segment is listed that much sooner after its last frame came in.
        ...["-map", `[v${encodedIndex++}]`, "-c:v", "libx264", "-preset", args.preset],
        ...["-tune", "zerolatency"],
        ...["-profile:v", "main", "-b:v", `${kbps}k`, "-maxrate", `${Math.round(kbps * 1.1)}k`],
        ...["-bufsize", `${kbps * 2}k`, "-force_key_frames", forceKeyFrames],
        ...["-sc_threshold", "0", "-pix_fmt", "yuv420p"],
      );
    }
    if (ladder.audio)
      options.push("-map", "0:a:0", "-c:a", "aac", "-b:a", `${AUDIO_KBPS}k`, "-ac", "2");
    options.push(...fragmentedMp4Options());
    return { rung, options };
  });
  return { filter, outputs };
}

/** The live posters' files, rewritten every POSTER_SECONDS (outputs of the same ffmpeg). */
export const LIVE_POSTERS = POSTER_FILES.live;

/** A poster output's options; `small` for the cards' size. */
export const posterOptions = (small = false) => [
  "-map",
  small ? "[poster_small]" : "[poster]",
  "-f",
  "image2",
  "-update",
  "1",
  "-q:v",
  "5",
];
