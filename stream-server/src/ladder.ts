// The HLS ladder: which renditions, and the ffmpeg arguments that make them. The source is passed
// through untouched (no quality lost, no CPU spent); the smaller renditions are encoded with
// keyframes forced where the source has them, so segments of every rendition start at the same
// instants and a player can switch between them at any segment boundary.

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

export interface TranscodeArgs {
  rungs: Rung[];
  segmentSeconds: number;
  preset: string;
  posterSeconds: number;
  /** Continue an interrupted recording: append to the playlists, marked discontinuous. */
  resume: boolean;
}

/** ffmpeg's output options for the ladder, FLV on stdin; paths are relative to the event dir. */
export function transcodeOptions(args: TranscodeArgs): { filter: string; options: string[] } {
  const encoded = args.rungs.filter((r) => r.height !== undefined);
  const splits = encoded.length + 1; // one more branch for the poster
  const labels = Array.from({ length: splits }, (_, i) => `[s${i}]`).join("");
  const filter = [
    `[0:v]split=${splits}${labels}`,
    ...encoded.map((r, i) => `[s${i}]scale=-2:${r.height}[v${i}]`),
    // The poster in its two sizes: cards ask for the small one, the watch page the large.
    `[s${encoded.length}]fps=1/${args.posterSeconds},scale=-2:${POSTER_HEIGHTS.large},split=2[poster][p1]`,
    `[p1]scale=-2:${POSTER_HEIGHTS.small}[poster_small]`,
  ].join(";");

  const options: string[] = [];
  let encodedIndex = 0;
  args.rungs.forEach((rung, i) => {
    if (rung.height === undefined) {
      options.push("-map", "0:v:0", `-c:v:${i}`, "copy");
    } else {
      const kbps = rung.videoKbps ?? 800;
      options.push(
        "-map",
        `[v${encodedIndex++}]`,
        `-c:v:${i}`,
        "libx264",
        `-preset:v:${i}`,
        args.preset,
        `-profile:v:${i}`,
        "main",
        `-b:v:${i}`,
        `${kbps}k`,
        `-maxrate:v:${i}`,
        `${Math.round(kbps * 1.1)}k`,
        `-bufsize:v:${i}`,
        `${kbps * 2}k`,
        `-force_key_frames:v:${i}`,
        "source",
      );
    }
  });
  for (let i = 0; i < args.rungs.length; i++) options.push("-map", "0:a:0");
  options.push(
    "-sc_threshold",
    "0",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-b:a",
    `${AUDIO_KBPS}k`,
    "-ac",
    "2",
    "-f",
    "hls",
    "-hls_time",
    String(args.segmentSeconds),
    "-hls_playlist_type",
    "event",
    "-hls_flags",
    [
      "independent_segments",
      "program_date_time",
      "temp_file",
      ...(args.resume ? ["append_list", "discont_start"] : []),
    ].join("+"),
    // ffmpeg's own master lacks CODECS and BANDWIDTH for a passed-through source: ours
    // (playlists.ts) replaces it.
    "-master_pl_name",
    "ffmpeg-master.m3u8",
    "-var_stream_map",
    args.rungs.map((r, i) => `v:${i},a:${i},name:${r.name}`).join(" "),
    "-hls_segment_filename",
    "%v/seg_%05d.ts",
  );
  return { filter, options };
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
