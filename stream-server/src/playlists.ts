// The playlists around the renditions' own (ll-hls-writer.ts): the master (with BANDWIDTH,
// RESOLUTION and CODECS of every rendition, read from its init segment and measured on its
// segments, since a passed-through source has no bitrate ffmpeg could state; CODECS name only
// what the stream carries, and an audio-only rendition has no RESOLUTION), and the VOD
// finalization of media playlists when the stream ends.
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readInit } from "./fmp4.ts";
import { AUDIO_KBPS, type Rung } from "./ladder.ts";
import { initFile, MEDIA_PLAYLIST, PART_FILE } from "./ll-hls-writer.ts";

export interface RenditionInfo {
  name: string;
  /** The picture's size; 0 × 0 without video. */
  width: number;
  height: number;
  /** avc1.PPCCLL for the video, and AAC-LC, as far as the rendition has them. */
  codecs: string;
  /** Peak bits per second over the segments seen. */
  bandwidth: number;
}

export interface MediaSegment {
  uri: string;
  duration: number;
}

/** The segments of a media playlist, in order. */
export function mediaSegments(playlist: string): MediaSegment[] {
  const segments: MediaSegment[] = [];
  let duration: number | undefined;
  for (const line of playlist.split("\n")) {
    if (line.startsWith("#EXTINF:")) duration = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith("#") && duration !== undefined) {
      segments.push({ uri: line.trim(), duration });
      duration = undefined;
    }
  }
  return segments;
}

/** Peak bitrate of a rendition's segments (bits per second, audio included). */
function peakBandwidth(dir: string, segments: MediaSegment[]): number {
  let peak = 0;
  for (const segment of segments) {
    const path = join(dir, segment.uri);
    if (!existsSync(path) || segment.duration <= 0) continue;
    peak = Math.max(peak, (statSync(path).size * 8) / segment.duration);
  }
  return Math.round(peak);
}

/**
 * A rendition as the master playlist names it: its codecs and picture size from its first init
 * segment, its bandwidth from the segments' sizes (a passed-through source states none).
 */
export async function describeRendition(eventDir: string, rung: Rung): Promise<RenditionInfo> {
  const dir = join(eventDir, rung.name);
  const segments = mediaSegments(readFileSync(join(dir, MEDIA_PLAYLIST), "utf8"));
  if (segments.length === 0) throw new Error(`${rung.name}: no segment yet`);
  const { tracks } = readInit(await readFile(join(dir, initFile(0))));
  const video = tracks.find((t) => t.kind === "video");
  const audio = tracks.find((t) => t.kind === "audio");
  const estimated = ((rung.videoKbps ?? 0) + (audio ? AUDIO_KBPS : 0)) * 1000;
  return {
    name: rung.name,
    width: video?.width ?? 0,
    height: video?.height ?? 0,
    codecs: [video?.codec, audio?.codec].filter(Boolean).join(","),
    bandwidth: Math.max(peakBandwidth(dir, segments), rung.height ? estimated : 0),
  };
}

export function masterPlaylist(renditions: RenditionInfo[], media = MEDIA_PLAYLIST): string {
  const sorted = [...renditions].sort((a, b) => b.bandwidth - a.bandwidth);
  return [
    "#EXTM3U",
    "#EXT-X-VERSION:6",
    "#EXT-X-INDEPENDENT-SEGMENTS",
    ...sorted.flatMap((r) => [
      `#EXT-X-STREAM-INF:BANDWIDTH=${r.bandwidth}${r.width ? `,RESOLUTION=${r.width}x${r.height}` : ""},CODECS="${r.codecs}"`,
      `${r.name}/${media}`,
    ]),
    "",
  ].join("\n");
}

/** Writes a file so that a reader sees the old or the new content, never half of it. */
export function writeAtomically(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

/** The first segment of every rendition exists. */
export function hasFirstSegments(eventDir: string, rungs: Rung[]): boolean {
  return rungs.every((rung) => {
    const playlist = join(eventDir, rung.name, MEDIA_PLAYLIST);
    return existsSync(playlist) && mediaSegments(readFileSync(playlist, "utf8")).length > 0;
  });
}

/** What a live playlist says only for low-latency players while it is live. */
const LIVE_ONLY = /^#EXT-X-(PART|PART-INF|PRELOAD-HINT|SERVER-CONTROL|SKIP):/;

/**
 * The VOD text of a finished live (EVENT) playlist: `PLAYLIST-TYPE:VOD` and `ENDLIST`, without
 * its parts (their files are gone: the segments have the same frames).
 */
export function asVod(playlist: string): string {
  let text = playlist
    .split("\n")
    .filter((line) => !LIVE_ONLY.test(line))
    .join("\n")
    .replace("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-PLAYLIST-TYPE:VOD");
  if (!text.includes("#EXT-X-PLAYLIST-TYPE:VOD"))
    text = text.replace("#EXTM3U\n", "#EXTM3U\n#EXT-X-PLAYLIST-TYPE:VOD\n");
  if (!text.includes("#EXT-X-ENDLIST")) text = `${text.trimEnd()}\n#EXT-X-ENDLIST\n`;
  return text;
}

export const VOD_MASTER = "vod.m3u8";

/**
 * Finalizes a recording: each rendition's live playlist is ended (players still on it stop at
 * its end) and copied as `vod.m3u8`, and `vod.m3u8` at the top lists those. The VOD files never
 * change again, so the edge lets them be cached for long; live playlists, for a second.
 * Returns the duration in seconds (of the first rendition).
 */
export function finalizeAsVod(
  eventDir: string,
  rungs: Rung[],
  renditions: RenditionInfo[],
): number {
  let duration = 0;
  rungs.forEach((rung, i) => {
    const live = join(eventDir, rung.name, MEDIA_PLAYLIST);
    if (!existsSync(live)) return;
    const text = asVod(readFileSync(live, "utf8"));
    writeAtomically(live, text);
    writeAtomically(join(eventDir, rung.name, VOD_MASTER), text);
    // The parts, once no playlist lists them.
    for (const part of readdirSync(join(eventDir, rung.name)))
      if (PART_FILE.test(part)) rmSync(join(eventDir, rung.name, part), { force: true });
    if (i === 0) duration = mediaSegments(text).reduce((sum, s) => sum + s.duration, 0);
  });
  writeAtomically(join(eventDir, VOD_MASTER), masterPlaylist(renditions, VOD_MASTER));
  return Math.round(duration * 1000) / 1000;
}

/** Every file of a recording, relative to its directory (for an upload). */
export function recordingFiles(eventDir: string): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.endsWith(".tmp") || entry.name === "ffmpeg-master.m3u8") continue;
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else files.push(`${prefix}${entry.name}`);
    }
  };
  walk(eventDir, "");
  return files.sort();
}
