// The LL-HLS packager on real encoder output: ffmpeg's fragmented MP4 of a test pattern with
// sound, as the ladder asks for it, packaged into parts, segments and a playlist a player can use.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readFragment, readInit } from "../src/fmp4.ts";
import { fragmentedMp4Options, PART_TARGET } from "../src/ladder.ts";
import { initFile, MEDIA_PLAYLIST, partFile, RenditionWriter } from "../src/ll-hls-writer.ts";
import { llHlsProblems, readPlaylist } from "./ll-hls-checks.ts";

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "ll-hls-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const T0 = Date.parse("2026-12-03T18:00:00.000Z");

/** ffmpeg encoding `seconds` of a 30 fps pattern with a tone as the ladder's fragments, to stdout. */
function encoder(seconds: number) {
  return spawn(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error"],
      ...["-f", "lavfi", "-i", `testsrc2=size=320x180:rate=30:duration=${seconds}`],
      ...["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "main", "-pix_fmt", "yuv420p"],
      ...["-force_key_frames", "expr:gte(t,n_forced*2)", "-sc_threshold", "0"],
      ...["-c:a", "aac", "-b:a", "64k"],
      ...fragmentedMp4Options(),
      "pipe:1",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
}

function writer(dir: string) {
  return new RenditionWriter({
    dir,
    targetDuration: 2,
    segmentSeconds: 2,
    partTarget: PART_TARGET,
  });
}

/** A run's frames' wall-clock times: from T0, or `offset` ms later. */
const clock =
  (offset = 0) =>
  (media: number) =>
    T0 + offset + media * 1000;

describe("the LL-HLS packager on ffmpeg's fragmented MP4", () => {
  it("writes parts of at most PART-TARGET, 2 s segments made of them, and a valid playlist", async () => {
    const dir = mkdtempSync(join(work, "r-"));
    const rendition = writer(dir);
    const live: string[] = [];
    // A blocking reload for the third part of segment 1, asked before there is any.
    const blocked = rendition.waitFor({ msn: 1, part: 2 }, 30_000);
    const ffmpeg = encoder(7);
    const written = rendition.write(ffmpeg.stdout, clock());
    const watch = setInterval(() => {
      const file = join(dir, MEDIA_PLAYLIST);
      if (existsSync(file)) live.push(readFileSync(file, "utf8"));
    }, 20);
    const answered = await blocked;
    await written;
    clearInterval(watch);

    // Answered with a playlist that has the part, and no further (not a later one).
    expect(answered).toBeDefined();
    const atAnswer = readPlaylist(answered as string);
    expect(atAnswer.segments[1]?.parts[2]?.uri).toBe(partFile(1, 2));
    expect(atAnswer.segments[1]?.parts).toHaveLength(3);
    expect(llHlsProblems(answered as string)).toEqual([]);

    // Every live playlist seen on disk was valid, and named only files that were there.
    expect(live.length).toBeGreaterThan(0);
    for (const text of live) expect(llHlsProblems(text)).toEqual([]);

    await rendition.end();
    const text = readFileSync(join(dir, MEDIA_PLAYLIST), "utf8");
    expect(llHlsProblems(text)).toEqual([]);
    const list = readPlaylist(text);
    expect(list.ended).toBe(true);
    expect(list.segments.map((s) => s.msn)).toEqual([0, 1, 2, 3]);
    expect(list.segments.map((s) => Math.round(s.duration * 10) / 10)).toEqual([2, 2, 2, 1]);
    expect(list.segments.map((s) => s.programDateTime)).toEqual([
      T0,
      T0 + 2000,
      T0 + 4000,
      T0 + 6000,
    ]);

    // A segment is its parts end to end; every part, the fragment ffmpeg wrote.
    const init = readInit(readFileSync(join(dir, initFile(0))));
    expect(init.tracks.map((t) => t.kind)).toEqual(["video", "audio"]);
    expect(init.tracks[0]).toMatchObject({ width: 320, height: 180 });
    for (const segment of list.segments) {
      const whole = readFileSync(join(dir, segment.uri as string));
      const parts = segment.parts.map((part) => readFileSync(join(dir, part.uri)));
      if (parts.length > 0) expect(Buffer.concat(parts).equals(whole)).toBe(true);
      for (const part of parts)
        expect(readFragment(part, init.tracks).duration).toBeLessThanOrEqual(PART_TARGET);
    }

    // The init segment and the segments play as one file: 7 s of video and sound.
    const joined = join(dir, "joined.mp4");
    writeFileSync(
      joined,
      Buffer.concat([
        readFileSync(join(dir, initFile(0))),
        ...list.segments.map((s) => readFileSync(join(dir, s.uri as string))),
      ]),
    );
    const { stdout } = await run("ffprobe", [
      ...["-v", "error", "-show_entries", "format=duration:stream=codec_type,profile,level"],
      ...["-of", "json", joined],
    ]);
    const probed = JSON.parse(stdout) as {
      format: { duration: string };
      streams: { codec_type: string; profile?: string; level?: number }[];
    };
    expect(probed.streams.map((s) => s.codec_type).sort()).toEqual(["audio", "video"]);
    // The codecs the master playlist will name, read from the init segment: the profile and
    // level ffprobe finds (profile_idc 66 is Baseline, 77 Main, 100 High).
    const video = probed.streams.find((s) => s.codec_type === "video");
    const profileIdc = { Baseline: 66, "Constrained Baseline": 66, Main: 77, High: 100 }[
      video?.profile ?? ""
    ];
    const [videoCodec, audioCodec] = init.tracks.map((t) => t.codec);
    expect(videoCodec).toMatch(/^avc1\.[0-9a-f]{6}$/);
    expect(Number.parseInt(videoCodec?.slice(5, 7) ?? "", 16)).toBe(profileIdc);
    expect(Number.parseInt(videoCodec?.slice(9, 11) ?? "", 16)).toBe(video?.level);
    expect(audioCodec).toBe("mp4a.40.2");
    expect(Number(probed.format.duration)).toBeCloseTo(7, 0);
  });

  it("continues the playlist after an encoder restart, with a discontinuity and a new init", async () => {
    const dir = mkdtempSync(join(work, "r-"));
    const rendition = writer(dir);
    await rendition.write(encoder(3).stdout, clock());
    await rendition.write(encoder(3).stdout, clock(3500));
    // Too far ahead to hold: answered at once.
    expect(rendition.tooFar({ msn: 9 })).toBe(true);
    expect(await rendition.waitFor({ msn: 4, part: 1 }, 100)).toBeUndefined();
    // A client that leaves ends its wait.
    const leaving = new AbortController();
    const waiting = rendition.waitFor({ msn: 4, part: 1 }, 30_000, false, leaving.signal);
    leaving.abort();
    expect(await waiting).toBeUndefined();
    await rendition.end();
    const text = readFileSync(join(dir, MEDIA_PLAYLIST), "utf8");
    expect(llHlsProblems(text)).toEqual([]);
    expect(text).toContain(`#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="${initFile(1)}"`);
    expect(readPlaylist(text).segments.map((s) => Math.round(s.duration * 10) / 10)).toEqual([
      2, 1, 2, 1,
    ]);
  });
});
