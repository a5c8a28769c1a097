// Playlists stream-server writes itself: the master (with BANDWIDTH, RESOLUTION and CODECS of
// every rendition, probed from its first segment, since a passed-through source has no bitrate
// ffmpeg could state; CODECS name only what the stream carries, and an audio-only rendition has
// no RESOLUTION), and the VOD finalization of media playlists when the stream ends.
import { execFile } from "node:child_process";
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { AUDIO_KBPS, type Rung } from "./ladder.ts";

const run = promisify(execFile);

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

interface ProbeStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
}

const PROFILES: Record<string, string> = {
  Baseline: "42",
  "Constrained Baseline": "42",
  Main: "4d",
  High: "64",
};

/** The RFC 6381 string for an H.264 stream (profile_idc, constraint flags, level_idc). */
export function avc1(profile: string | undefined, level: number | undefined): string {
  const p = PROFILES[profile ?? ""] ?? "64";
  const constraints = profile === "Constrained Baseline" ? "e0" : p === "4d" ? "40" : "00";
  return `avc1.${p}${constraints}${(level ?? 31).toString(16).padStart(2, "0")}`;
}

export async function probeSegment(path: string): Promise<ProbeStream[]> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "stream=codec_type,codec_name,profile,level,width,height",
    "-of",
    "json",
    path,
  ]);
  return (JSON.parse(stdout) as { streams: ProbeStream[] }).streams;
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

export async function describeRendition(eventDir: string, rung: Rung): Promise<RenditionInfo> {
  const dir = join(eventDir, rung.name);
  const segments = mediaSegments(readFileSync(join(dir, "index.m3u8"), "utf8"));
  const first = segments[0];
  if (!first) throw new Error(`${rung.name}: no segment yet`);
  const streams = await probeSegment(join(dir, first.uri));
  const video = streams.find((s) => s.codec_type === "video");
  const audio = streams.find((s) => s.codec_type === "audio");
  const estimated = ((rung.videoKbps ?? 0) + (audio ? AUDIO_KBPS : 0)) * 1000;
  return {
    name: rung.name,
    width: video?.width ?? 0,
    height: video?.height ?? 0,
    codecs: [video && avc1(video.profile, video.level), audio && "mp4a.40.2"]
      .filter(Boolean)
      .join(","),
    bandwidth: Math.max(peakBandwidth(dir, segments), rung.height ? estimated : 0),
  };
}

export function masterPlaylist(renditions: RenditionInfo[], media = "index.m3u8"): string {
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
    const playlist = join(eventDir, rung.name, "index.m3u8");
    return existsSync(playlist) && mediaSegments(readFileSync(playlist, "utf8")).length > 0;
  });
}

/** The VOD text of a finished live (EVENT) playlist: `PLAYLIST-TYPE:VOD` and `ENDLIST`. */
export function asVod(playlist: string): string {
  let text = playlist.replace("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-PLAYLIST-TYPE:VOD");
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
    const live = join(eventDir, rung.name, "index.m3u8");
    if (!existsSync(live)) return;
    const text = asVod(readFileSync(live, "utf8"));
    writeAtomically(live, text);
    writeAtomically(join(eventDir, rung.name, VOD_MASTER), text);
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
