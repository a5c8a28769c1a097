// A recording's poster. While live, ffmpeg rewrites poster.jpg (and its small twin) every
// POSTER_SECONDS, which the edge caches for seconds. When the stream ends, the last of them is kept
// with the recording under names of their own that never change again (cached for a year); a
// recording without one (a stream shorter than the first poster, say) gets a frame of its own,
// taken from the recording by ffmpeg in the same two sizes.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { POSTER_FILES, POSTER_HEIGHTS } from "@stream-platform/shared/api";
import { VOD_MASTER } from "./playlists.ts";

const run = promisify(execFile);

const LIVE_POSTERS = POSTER_FILES.live;
/** The recording's posters, next to its vod.m3u8. */
const RECORDING_POSTERS = POSTER_FILES.recording;

const written = (file: string) => existsSync(file) && statSync(file).size > 0;

/** Whether ffmpeg wrote the live posters (both sizes) in `dir` yet. */
export const livePosterWritten = (dir: string): boolean =>
  written(join(dir, LIVE_POSTERS.large)) && written(join(dir, LIVE_POSTERS.small));

/**
 * Gives the recording in `dir` its posters: the last live ones, or a frame of `rendition`'s
 * recording. Says which it was.
 */
export async function keepRecordingPoster(
  dir: string,
  rendition: string,
): Promise<"live" | "recording"> {
  const sizes = ["large", "small"] as const;
  if (livePosterWritten(dir)) {
    for (const size of sizes) {
      const target = join(dir, RECORDING_POSTERS[size]);
      copyFileSync(join(dir, LIVE_POSTERS[size]), `${target}.tmp`);
      renameSync(`${target}.tmp`, target);
    }
    return "live";
  }
  // The recording's first frame, both sizes from one run.
  const tmp = (size: "large" | "small") => `${RECORDING_POSTERS[size]}.tmp`;
  await run(
    "ffmpeg",
    [
      ...["-v", "error", "-y", "-i", join(rendition, VOD_MASTER)],
      ...["-filter_complex", posterFilter()],
      ...["-map", "[large]", "-frames:v", "1", "-q:v", "5", "-f", "image2", tmp("large")],
      ...["-map", "[small]", "-frames:v", "1", "-q:v", "5", "-f", "image2", tmp("small")],
    ],
    { cwd: dir, timeout: 30_000 },
  );
  for (const size of sizes) renameSync(join(dir, tmp(size)), join(dir, RECORDING_POSTERS[size]));
  return "recording";
}

/** The recording's first frame, in both sizes. */
const posterFilter = () =>
  `[0:v]scale=-2:${POSTER_HEIGHTS.large},split=2[large][s];[s]scale=-2:${POSTER_HEIGHTS.small}[small]`;
