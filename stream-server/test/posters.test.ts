// Posters (#26 item 4) against the running platform: the events and search APIs say where an
// event's picture is (posterUrl, posterSmallUrl), stream-server writes it in two sizes while live
// and keeps one with the recording, and the edge serves them with their cache headers: seconds
// for the live frame, a year for the recording's. A scheduled event has none (the web app draws
// its own), and a recording whose stream left no live poster gets a frame taken from it.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createEvent, serviceUrls } from "@stream-platform/shared";
import { POSTER_FILES, type VideoEvent } from "@stream-platform/shared/api";
import {
  api,
  newUser,
  type Publisher,
  postToIngress,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goLive, newChannel, newEvent } from "../../web/test/browser.ts";
import { keepRecordingPoster } from "../src/posters.ts";

const run = promisify(execFile);
const edge = serviceUrls().edgeUrl;

/** A JPEG's size, from its start-of-frame header. */
function jpegSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 2).toString("hex")).toBe("ffd8");
  let at = 2;
  while (at < bytes.length) {
    const marker = bytes[at + 1] ?? 0;
    const length = bytes.readUInt16BE(at + 2);
    if (marker >= 0xc0 && marker <= 0xc2)
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    at += 2 + length;
  }
  throw new Error("no start of frame in the JPEG");
}

/** The poster at `path` through the edge: its cache header and its picture's height. */
async function served(path: string) {
  const response = await fetch(`${edge}${path}`);
  expect(response.status, path).toBe(200);
  expect(response.headers.get("content-type")).toBe("image/jpeg");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  const bytes = Buffer.from(await response.arrayBuffer());
  return { cache: response.headers.get("cache-control"), bytes, ...jpegSize(bytes) };
}

const event = async (id: string) => (await api<VideoEvent>(`/api/events/${id}`)).body;

/** The event as search finds it by its own word, once `ready` says it is as expected. */
const searchHit = (word: string, id: string, ready: (hit: VideoEvent) => boolean) =>
  until(`${id} in search`, async () => {
    const found = await api<{ hits: VideoEvent[] }>(`/api/search?q=${word}`);
    const hit = found.body.hits?.find((h) => h.id === id);
    return hit && ready(hit) ? hit : undefined;
  });

let owner: TestUser;
let publisher: Publisher | undefined;
beforeAll(async () => {
  owner = await newUser("posters");
});
afterAll(() => {
  publisher?.process.kill("SIGKILL");
});

describe("posters", () => {
  it("a scheduled event has none: the web app draws its own", async () => {
    const channel = await newChannel(owner, uniqueSlug("poster-s"));
    const word = `planned${Date.now().toString(36)}`;
    const id = await newEvent(owner, channel.id, `Poster ${word}`);
    const scheduled = await event(id);
    expect(scheduled.status).toBe("scheduled");
    expect(scheduled.posterUrl).toBeUndefined();
    expect(scheduled.posterSmallUrl).toBeUndefined();
    const hit = await searchHit(word, id, () => true);
    expect(hit.posterUrl).toBeUndefined();

    // Live with no stream-server stream behind it (a stream.started posted): no poster named
    // either, so nothing asks for a file that is not there.
    await postToIngress(
      createEvent({
        type: "streamplatform.stream.started",
        source: "/stream-server",
        subject: channel.id,
        data: {
          streamId: `str_${id}`,
          channelId: channel.id,
          eventId: id,
          startedAt: new Date().toISOString(),
        },
      }),
    );
    const live = await until("the event live", async () => {
      const e = await event(id);
      return e.status === "live" ? e : undefined;
    });
    expect(live.posterUrl).toBeUndefined();
  });

  it("live: the frame in two sizes, for seconds; the recording keeps one, for a year", async () => {
    const channel = await newChannel(owner, uniqueSlug("poster-l"));
    const live = await goLive(channel);
    publisher = live.publisher;
    const { eventId } = live;
    // Named by a word of its own, to find it in search.
    const word = `onair${Date.now().toString(36)}`;
    const renamed = await api(`/api/events/${eventId}`, {
      method: "PATCH",
      token: owner.token,
      body: { title: `Poster ${word}` },
    });
    expect(renamed.status).toBe(200);
    // Named once ffmpeg wrote it (stream.poster, seconds after the stream started): there then.
    const onAir = await until("the live poster named", async () => {
      const e = await event(eventId);
      return e.posterUrl ? e : undefined;
    });
    expect(onAir.status).toBe("live");
    expect(onAir.posterUrl).toBe(`/hls/${eventId}/${POSTER_FILES.live.large}`);
    expect(onAir.posterSmallUrl).toBe(`/hls/${eventId}/${POSTER_FILES.live.small}`);
    const large = await served(onAir.posterUrl as string);
    const small = await served(onAir.posterSmallUrl as string);
    expect(large.cache).toBe("public, max-age=5");
    expect(small.cache).toBe("public, max-age=5");
    // The test pattern is 640×360: the same frame at 360 and 180 px high.
    expect([large.width, large.height]).toEqual([640, 360]);
    expect([small.width, small.height]).toEqual([320, 180]);

    // The stream ends: once the recording is ready, its own poster, cached for a year.
    publisher.process.kill("SIGINT");
    await publisher.exited;
    const ended = await until(
      "the recording",
      async () => {
        const e = await event(eventId);
        return e.status === "ended" && e.vodPath ? e : undefined;
      },
      60_000,
      250,
    );
    expect(ended.posterUrl).toBe(`/hls/${eventId}/${POSTER_FILES.recording.large}`);
    expect(ended.posterSmallUrl).toBe(`/hls/${eventId}/${POSTER_FILES.recording.small}`);
    const kept = await served(ended.posterUrl as string);
    const keptSmall = await served(ended.posterSmallUrl as string);
    for (const poster of [kept, keptSmall])
      expect(poster.cache).toBe("public, max-age=31536000, immutable");
    expect([kept.height, keptSmall.height]).toEqual([360, 180]);
    // The last live frame, kept as it was.
    expect(kept.bytes.equals((await served(onAir.posterUrl as string)).bytes)).toBe(true);

    // Search says the same, once it indexed the recording (its document holds the poster's path).
    const hit = await searchHit(word, eventId, (h) => h.posterUrl === ended.posterUrl);
    expect(hit.posterUrl).toBe(ended.posterUrl);
    expect(hit.posterSmallUrl).toBe(ended.posterSmallUrl);
  });
});

describe("a recording's poster", () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is the last live poster when there is one, else a frame of the recording", async () => {
    dir = mkdtempSync(join(tmpdir(), "poster-"));
    mkdirSync(join(dir, "source"));
    // Two seconds of recording, as stream-server leaves it (vod.m3u8 and its segments).
    await run(
      "ffmpeg",
      [
        ...["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "2"],
        ...["-c:v", "libx264", "-preset", "ultrafast", "-f", "hls", "-hls_time", "1"],
        ...["-hls_playlist_type", "vod", "source/vod.m3u8"],
      ],
      { cwd: dir },
    );
    // No live poster (a stream shorter than the first): a frame of its own, both sizes.
    expect(await keepRecordingPoster(dir, "source")).toBe("recording");
    const large = jpegSize(readFileSync(join(dir, POSTER_FILES.recording.large)));
    const small = jpegSize(readFileSync(join(dir, POSTER_FILES.recording.small)));
    expect([large.width, large.height]).toEqual([640, 360]);
    expect([small.width, small.height]).toEqual([320, 180]);

    // With live posters, those are kept, byte for byte.
    const liveLarge = readFileSync(join(dir, POSTER_FILES.recording.large));
    const liveSmall = readFileSync(join(dir, POSTER_FILES.recording.small));
    writeFileSync(join(dir, POSTER_FILES.live.large), liveLarge);
    writeFileSync(join(dir, POSTER_FILES.live.small), liveSmall);
    rmSync(join(dir, POSTER_FILES.recording.large));
    expect(await keepRecordingPoster(dir, "source")).toBe("live");
    expect(readFileSync(join(dir, POSTER_FILES.recording.large)).equals(liveLarge)).toBe(true);
    expect(readFileSync(join(dir, POSTER_FILES.recording.small)).equals(liveSmall)).toBe(true);
  });
});
