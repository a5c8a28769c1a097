// Live ingest end to end against the running platform: ffmpeg publishes a test pattern over
// RTMP to stream-server, which authorizes the key over gRPC, packages HLS served by NGINX and
// tells the platform; headless Chromium plays it live and as VOD.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { serviceUrls } from "@stream-platform/shared";
import {
  api,
  type EventWatch,
  liveStream,
  newChannel,
  newUser,
  publishTestPattern,
  type TestUser,
  until,
  watchEvents,
} from "@stream-platform/shared/testing";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hlsDir } from "../../local/src/servers/nginx.ts";
import { mediaSegments } from "../src/playlists.ts";
import { llHlsProblems, type PlaylistSegment, readPlaylist } from "./ll-hls-checks.ts";

const work = mkdtempSync(join(tmpdir(), "ingest-"));

const run = promisify(execFile);
const edge = serviceUrls().edgeUrl;

const publish = (key: string, seconds: number) => publishTestPattern(key, { seconds });

// Page-side code as functions (the web app's CSP refuses strings to evaluate); this file is
// type-checked for Node, so the page's globals are described as far as used.
interface PageGlobals {
  document: { querySelector(s: string): { currentTime: number } | null };
  playerError?: string;
  hls?: { levels: unknown[] };
}
// Each runs in the page on its own (serialized): no references to this module.
const playerState = () => {
  const page = globalThis as unknown as PageGlobals;
  return {
    time: page.document.querySelector("video")?.currentTime ?? 0,
    error: page.playerError,
    levels: page.hls?.levels.length ?? 0,
  };
};
const playing = () =>
  ((globalThis as unknown as PageGlobals).document.querySelector("video")?.currentTime ?? 0) > 0;

/**
 * Opens the web app's watch page and resolves with how far playback advanced: as soon as it
 * advanced `seconds`, or after a generous deadline (a loaded machine plays late, not wrong).
 */
async function playback(browser: Browser, eventId: string, seconds: number) {
  const page = await browser.newPage();
  try {
    await page.goto(`${edge}/watch/${eventId}`);
    await page.waitForFunction(playing, null, { timeout: 20_000 });
    const start = (await page.evaluate(playerState)).time;
    await page
      .waitForFunction(
        ([from, wanted]) =>
          ((globalThis as unknown as PageGlobals).document.querySelector("video")?.currentTime ??
            0) -
            from >=
          wanted,
        [start, seconds] as const,
        { timeout: 30_000 },
      )
      .catch(() => undefined); // reported below as the playback that did happen
    const state = await page.evaluate(playerState);
    return { advanced: state.time - start, error: state.error, levels: state.levels };
  } finally {
    await page.close();
  }
}

let owner: TestUser;
let watch: EventWatch;
let browser: Browser;

beforeAll(async () => {
  owner = await newUser("streamer");
  watch = await watchEvents(["streams", "events"]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
  });
});

afterAll(async () => {
  await browser?.close();
  await watch?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("a stream from RTMP to HLS", () => {
  it("goes live, plays in the browser, ends, and becomes a complete VOD", async () => {
    const channel = await newChannel(owner);
    const publisher = publish(channel.streamKey, 20);

    const started = await watch.waitFor(
      (e) =>
        e.type === "streamplatform.stream.started" &&
        (e.data as { channelId: string }).channelId === channel.id,
      30_000,
    );
    const live = await until("the stream in /streams", () => liveStream(channel.id));
    const eventId = live.eventId;
    await watch.waitFor((e) => e.type === "streamplatform.event.live" && e.subject === eventId);
    expect((await api<{ status: string }>(`/api/events/${eventId}`)).body.status).toBe("live");
    // While live, stream-server says it is still on (every STREAM_ALIVE_SECONDS: 5 s locally),
    // looked for while the rest is checked (and handled, should the test fail before).
    const alive = watch.waitFor(
      (e) =>
        e.type === "streamplatform.stream.alive" &&
        (e.data as { streamId: string }).streamId === live.streamId,
      20_000,
    );
    alive.catch(() => undefined);

    // The master playlist: every rendition with its bandwidth, resolution and codecs.
    const master = await (await fetch(`${edge}/hls/${eventId}/master.m3u8`)).text();
    const variants = master.split("\n").filter((l) => l.startsWith("#EXT-X-STREAM-INF:"));
    expect(variants.length).toBeGreaterThanOrEqual(2);
    for (const variant of variants) {
      expect(variant).toMatch(/BANDWIDTH=\d+/);
      expect(variant).toMatch(/RESOLUTION=\d+x\d+/);
      expect(variant).toMatch(/CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
    }
    const media = await fetch(`${edge}/hls/${eventId}/480p/index.m3u8`);
    expect(media.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(media.headers.get("cache-control")).toBe("public, max-age=1");
    expect(media.headers.get("access-control-allow-origin")).toBe("*");
    const mediaText = await media.text();
    expect(mediaText).toContain("#EXT-X-PROGRAM-DATE-TIME:");

    // Low-Latency HLS: every rendition's playlist is valid, their segments aligned.
    const renditions = ["source", "480p", "360p"];
    const lists = await Promise.all(
      renditions.map(async (name) => {
        const text = await (await fetch(`${edge}/hls/${eventId}/${name}/index.m3u8`)).text();
        expect(llHlsProblems(text), name).toEqual([]);
        return readPlaylist(text);
      }),
    );
    const complete = Math.min(...lists.map((l) => l.segments.filter((s) => s.uri).length));
    expect(complete).toBeGreaterThanOrEqual(1);
    for (let msn = 0; msn < complete; msn++) {
      const durations = lists.map((l) => l.segments[msn]?.duration ?? 0);
      expect(Math.max(...durations) - Math.min(...durations), `segment ${msn}`).toBeLessThan(0.05);
    }
    // A blocking reload for the next part is held until the part is there, then answered.
    const now = readPlaylist(mediaText);
    const open = now.segments.at(-1) as PlaylistSegment;
    const next = open.uri
      ? { msn: open.msn + 1, part: 0 }
      : { msn: open.msn, part: open.parts.length };
    const blocking = await fetch(
      `${edge}/hls/${eventId}/480p/index.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}`,
    );
    expect(blocking.status).toBe(200);
    expect(blocking.headers.get("access-control-allow-origin")).toBe("*");
    const answered = readPlaylist(await blocking.text());
    const holding = answered.segments.find((s) => s.msn === next.msn);
    expect(holding?.parts.length ?? 0).toBeGreaterThan(next.part);
    // The part the answer hints at comes too, asked for before it exists.
    const hinted = await fetch(`${edge}/hls/${eventId}/480p/${answered.preloadHint}`);
    expect(hinted.status).toBe(200);
    expect(hinted.headers.get("content-type")).toBe("video/iso.segment");
    expect((await hinted.arrayBuffer()).byteLength).toBeGreaterThan(0);
    // A request beyond the next segment is refused at once, naming the parameter.
    const tooFar = await fetch(`${edge}/hls/${eventId}/480p/index.m3u8?_HLS_msn=${next.msn + 5}`);
    expect(tooFar.status).toBe(400);
    expect(((await tooFar.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe(
      "_HLS_msn",
    );

    // Live in Chromium: playback advances at least 3 s without a player error.
    const livePlay = await playback(browser, eventId, 3);
    expect(livePlay.error).toBeUndefined();
    expect(livePlay.levels).toBeGreaterThanOrEqual(2);
    expect(livePlay.advanced).toBeGreaterThanOrEqual(3);
    // The player beat while it played (functions/analytics): one viewer counted.
    const counted = await until(
      "the player's viewer counted",
      async () => {
        const summary = await api<{ unique: number }>(`/api/analytics/events/${eventId}`);
        return summary.body.unique >= 1 ? summary.body : undefined;
      },
      15_000,
      200,
    );
    expect(counted.unique).toBe(1);
    expect((await alive).data).toMatchObject({ channelId: channel.id, eventId });

    expect(await publisher.exited).toBe(0);
    const ended = await watch.waitFor(
      (e) =>
        e.type === "streamplatform.stream.ended" &&
        (e.data as { streamId: string }).streamId === live.streamId,
    );
    const ready = await watch.waitFor(
      (e) =>
        e.type === "streamplatform.recording.ready" &&
        (e.data as { streamId: string }).streamId === live.streamId,
      30_000,
    );
    expect(new Date(ended.time ?? 0).getTime()).toBeGreaterThanOrEqual(
      new Date(started.time ?? 0).getTime(),
    );
    const recording = ready.data as { vodPath: string; durationSeconds: number };
    expect(recording.vodPath).toBe(`/hls/${eventId}/vod.m3u8`);
    expect(recording.durationSeconds).toBeGreaterThan(15);
    await until("the event to end with its VOD", async () => {
      const event = (await api<{ status: string; vodPath?: string }>(`/api/events/${eventId}`))
        .body;
      return event.status === "ended" && event.vodPath ? event : undefined;
    });

    // The VOD: complete playlists, segments that decode, cached for long.
    const vod = await fetch(`${edge}${recording.vodPath}`);
    expect(vod.headers.get("cache-control")).toContain("immutable");
    const dir = join(hlsDir, eventId);
    for (const rendition of ["source", "480p", "360p"]) {
      const playlist = readFileSync(join(dir, rendition, "vod.m3u8"), "utf8");
      expect(playlist).toContain("#EXT-X-PLAYLIST-TYPE:VOD");
      expect(playlist.trimEnd().endsWith("#EXT-X-ENDLIST")).toBe(true);
      const segments = mediaSegments(playlist);
      const total = segments.reduce((sum, s) => sum + s.duration, 0);
      expect(total).toBeGreaterThan(15);
      // A recording keeps its segments, not the parts they were made of.
      expect(readdirSync(join(dir, rendition)).filter((f) => f.startsWith("part_"))).toEqual([]);
      for (const segment of [segments[0], segments.at(-1)]) {
        // Decodes without an error after its init segment (ffmpeg prints nothing at -v error
        // when all is well). With its own timestamps: shifted to start at 0, a passed-through
        // source's (whole milliseconds from FLV) can round onto one another in the null
        // muxer's 1/30 s when its audio starts half a frame before its video, which says
        // nothing about the segment.
        const path = join(work, `${rendition}-${segment?.uri}.mp4`);
        writeFileSync(
          path,
          Buffer.concat([
            readFileSync(join(dir, rendition, "init_0.mp4")),
            readFileSync(join(dir, rendition, segment?.uri ?? "")),
          ]),
        );
        const { stderr } = await run("ffmpeg", [
          ...["-v", "error", "-copyts", "-i", path, "-f", "null", "-"],
        ]);
        expect(stderr).toBe("");
      }
    }
    const segment = await fetch(`${edge}/hls/${eventId}/480p/seg_00000.m4s`, {
      headers: { range: "bytes=0-187" },
    });
    expect(segment.status).toBe(206);
    expect(segment.headers.get("content-type")).toBe("video/iso.segment");
    expect(segment.headers.get("cache-control")).toContain("immutable");
    expect(existsSync(join(dir, "poster.jpg"))).toBe(true);

    const vodPlay = await playback(browser, eventId, 2);
    expect(vodPlay.error).toBeUndefined();
    expect(vodPlay.advanced).toBeGreaterThanOrEqual(2);
    // No sign of life once the stream ended (in its partition's order: the channel's).
    const ofStream = watch.events
      .filter((e) => (e.data as { streamId?: string } | undefined)?.streamId === live.streamId)
      .map((e) => e.type);
    expect(ofStream.lastIndexOf("streamplatform.stream.alive")).toBeLessThan(
      ofStream.indexOf("streamplatform.stream.ended"),
    );
  });
});

describe("refused publishers", () => {
  const noTraceOf = (channelId: string) =>
    watch.events.filter(
      (e) =>
        (e.data as { channelId?: string } | undefined)?.channelId === channelId &&
        e.type.startsWith("streamplatform.stream."),
    );

  it("refuses an unknown key and a rotated one, leaving no files and no events", async () => {
    const channel = await newChannel(owner);
    const rotated = await api<{ streamKey: string }>(`/api/channels/${channel.id}/stream-key`, {
      method: "POST",
      token: owner.token,
    });
    expect(rotated.status).toBe(200);
    const before = new Set(existsSync(hlsDir) ? readdirSync(hlsDir) : []);
    for (const key of ["sk_not-a-real-key-at-all", channel.streamKey]) {
      const attempt = publish(key, 5);
      // ffmpeg fails once the server closes the connection.
      expect(await attempt.exited).not.toBe(0);
    }
    expect(await liveStream(channel.id)).toBeUndefined();
    const after = readdirSync(hlsDir).filter((d) => !before.has(d));
    expect(after.filter((d) => d.startsWith("evt_"))).toEqual([]);
    expect(noTraceOf(channel.id)).toEqual([]);
  });

  it("refuses a second publisher, survives its ffmpeg dying, and ends within 5 s of an abrupt disconnect", async () => {
    const channel = await newChannel(owner);
    const first = publish(channel.streamKey, 60);
    const live = await until("the first publisher to go live", async () => {
      const stream = await liveStream(channel.id);
      return stream?.startedAt ? stream : undefined;
    });
    const second = publish(channel.streamKey, 5);
    expect(await second.exited).not.toBe(0);

    // Kill the stream's ffmpeg: a new one continues the playlists after a discontinuity.
    expect(live.ffmpegPid).toBeGreaterThan(0);
    process.kill(live.ffmpegPid ?? 0, "SIGKILL");
    await until("ffmpeg to be restarted", async () => {
      const stream = await liveStream(channel.id);
      return stream && stream.ffmpegRestarts > 0 && stream.ffmpegPid ? stream : undefined;
    });
    // Once the new ffmpeg has written a segment, the publisher drops dead (no goodbye): the
    // stream ends within 5 s all the same.
    const segmentsNow = () =>
      mediaSegments(readFileSync(join(hlsDir, live.eventId, "480p", "index.m3u8"), "utf8")).length;
    const before = segmentsNow();
    await until("a segment from the new ffmpeg", async () =>
      segmentsNow() > before ? true : undefined,
    );
    first.process.kill("SIGKILL");
    const killedAt = Date.now();
    const ended = await watch.waitFor(
      (e) =>
        e.type === "streamplatform.stream.ended" &&
        (e.data as { streamId: string }).streamId === live.streamId,
      10_000,
    );
    expect(Date.parse((ended.data as { endedAt: string }).endedAt) - killedAt).toBeLessThan(5_000);
    await watch.waitFor(
      (e) =>
        e.type === "streamplatform.recording.ready" &&
        (e.data as { streamId: string }).streamId === live.streamId,
      30_000,
    );
    const playlist = readFileSync(join(hlsDir, live.eventId, "480p", "vod.m3u8"), "utf8");
    expect(playlist).toContain("#EXT-X-DISCONTINUITY");
    expect(mediaSegments(playlist).length).toBeGreaterThan(before);
    const starts = watch.events.filter(
      (e) =>
        e.type === "streamplatform.stream.started" &&
        (e.data as { channelId: string }).channelId === channel.id,
    );
    expect(starts).toHaveLength(1);
  });
});
