// Ingest of what encoders really send, against the running platform: video without audio, audio
// without video, keyframes 8 s apart (OBS's "auto"), and an encoder that keeps failing. Each
// publish is a few seconds of a small test pattern.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type CloudEventV1, serviceUrls } from "@stream-platform/shared";
import {
  api,
  type EventWatch,
  liveStream,
  newChannel,
  newUser,
  type Publisher,
  publishTestPattern,
  type TestUser,
  until,
  watchEvents,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hlsDir } from "../../local/src/servers/nginx.ts";
import { mediaSegments } from "../src/playlists.ts";

const edge = serviceUrls().edgeUrl;
const SIZE = "640x360";

let owner: TestUser;
let watch: EventWatch;

beforeAll(async () => {
  owner = await newUser("shapes");
  watch = await watchEvents(["streams", "events"]);
});

afterAll(async () => {
  await watch?.stop();
});

const ofChannel = (type: string, channelId: string) => (e: CloudEventV1) =>
  e.type === `streamplatform.${type}` && (e.data as { channelId?: string }).channelId === channelId;

/** Publishes until the stream is live: its status (event, stream) and master playlist. */
async function goLive(channelId: string) {
  await watch.waitFor(ofChannel("stream.started", channelId), 30_000);
  const live = await until("the stream in /streams", () => liveStream(channelId));
  const master = await (await fetch(`${edge}/hls/${live.eventId}/master.m3u8`)).text();
  const variants = master.split("\n").filter((l) => l.startsWith("#EXT-X-STREAM-INF:"));
  return { live, variants };
}

/** After the publisher left: stream.ended, then recording.ready, and the event's VOD. */
async function recorded(channelId: string, eventId: string) {
  const ended = await watch.waitFor(ofChannel("stream.ended", channelId), 30_000);
  const ready = await watch.waitFor(ofChannel("recording.ready", channelId), 30_000);
  const event = await until("the event to end with its VOD", async () => {
    const body = (await api<{ status: string; vodPath?: string }>(`/api/events/${eventId}`)).body;
    return body.status === "ended" && body.vodPath ? body : undefined;
  });
  return {
    ended: ended.data as { reason?: string },
    ready: ready.data as { vodPath: string; durationSeconds: number; posterPath?: string },
    event,
  };
}

/** The publisher stops (as OBS's "Stop streaming" does: ffmpeg closes the connection). */
async function stopPublishing(publisher: Publisher): Promise<void> {
  publisher.process.kill("SIGINT");
  await publisher.exited;
}

const liveSegments = (eventId: string, rendition: string) =>
  mediaSegments(readFileSync(join(hlsDir, eventId, rendition, "index.m3u8"), "utf8")).length;

const vodSegments = (eventId: string, rendition: string) =>
  mediaSegments(readFileSync(join(hlsDir, eventId, rendition, "vod.m3u8"), "utf8"));

describe("what encoders really send", () => {
  it("video without audio goes live with silent renditions and becomes a VOD", async () => {
    const channel = await newChannel(owner);
    const publisher = publishTestPattern(channel.streamKey, {
      seconds: 30,
      size: SIZE,
      audio: false,
    });
    const { live, variants } = await goLive(channel.id);
    expect(variants.length).toBe(3);
    for (const variant of variants) expect(variant).toMatch(/CODECS="avc1\.[0-9a-f]{6}"$/);
    await stopPublishing(publisher);

    const { ended, ready } = await recorded(channel.id, live.eventId);
    expect(ended.reason).toBeUndefined();
    expect(ready.vodPath).toBe(`/hls/${live.eventId}/vod.m3u8`);
    expect(ready.durationSeconds).toBeGreaterThan(1);
    expect(ready.posterPath).toBe(`/hls/${live.eventId}/poster-vod.jpg`);
    const vod = await (await fetch(`${edge}${ready.vodPath}`)).text();
    expect(vod).not.toContain("mp4a");
    expect(vod).toContain("480p/vod.m3u8");
  });

  it("audio without video goes live as one AAC rendition, without a poster, and ends with a recording", async () => {
    const channel = await newChannel(owner);
    const publisher = publishTestPattern(channel.streamKey, { seconds: 30, video: false });
    const { live, variants } = await goLive(channel.id);
    expect(variants).toEqual([
      expect.stringMatching(/^#EXT-X-STREAM-INF:BANDWIDTH=\d+,CODECS="mp4a\.40\.2"$/),
    ]);
    await until("a second segment", () =>
      liveSegments(live.eventId, "audio") >= 2 ? true : undefined,
    );
    await stopPublishing(publisher);

    const { ended, ready } = await recorded(channel.id, live.eventId);
    expect(ended.reason).toBeUndefined();
    expect(ready.durationSeconds).toBeGreaterThan(3);
    expect(ready.posterPath).toBeUndefined();
    expect(vodSegments(live.eventId, "audio").length).toBeGreaterThanOrEqual(2);
    expect(watch.events.filter(ofChannel("stream.poster", channel.id))).toEqual([]);
  });

  it("keyframes 8 s apart: encoded segments of the configured 2 s, aligned, and the source left out saying why", async () => {
    const channel = await newChannel(owner);
    const publisher = publishTestPattern(channel.streamKey, {
      seconds: 30,
      size: SIZE,
      keyframeSeconds: 8,
    });
    const { live, variants } = await goLive(channel.id);
    expect(variants).toHaveLength(2);
    const health = await api<{ notice?: string }>(`/api/streams/${channel.id}/health`, {
      token: owner.token,
    });
    expect(health.body.notice).toMatch(/keyframes come more than 2 s apart/);
    // Three segments, where the source could not have cut one.
    await until("three segments", () =>
      liveSegments(live.eventId, "480p") >= 3 ? true : undefined,
    );
    await stopPublishing(publisher);

    await recorded(channel.id, live.eventId);
    const master = await (await fetch(`${edge}/hls/${live.eventId}/vod.m3u8`)).text();
    expect(master).not.toContain("source/");
    const durations = (rendition: string) =>
      vodSegments(live.eventId, rendition).map((s) => s.duration);
    const at480 = durations("480p");
    expect(at480.length).toBeGreaterThanOrEqual(3);
    // Every segment but the last (cut when the publisher stopped) is the configured length.
    for (const duration of at480.slice(0, -1)) expect(duration).toBeCloseTo(2, 1);
    expect(durations("360p")).toEqual(at480);
  });

  it("an encoder that keeps failing ends the stream, saying why, and keeps its recording", async () => {
    const channel = await newChannel(owner);
    const publisher = publishTestPattern(channel.streamKey, { seconds: 60, size: SIZE });
    try {
      const { live } = await goLive(channel.id);
      // ffmpeg killed as soon as each new one runs: restarted after 0.5, 1, 2, 4 and 8 s, and
      // the sixth failure within a minute is one too many.
      let killed = 0;
      let last: number | undefined;
      await until(
        "the stream to end",
        async () => {
          const status = await liveStream(channel.id);
          if (!status) return true;
          if (status.ffmpegPid && status.ffmpegPid !== last) {
            last = status.ffmpegPid;
            process.kill(status.ffmpegPid, "SIGKILL");
            killed += 1;
          }
          return undefined;
        },
        60_000,
        100,
      );
      expect(killed).toBe(6);
      // The publisher was let go (ffmpeg fails once the server closes the connection).
      expect(await publisher.exited).not.toBe(0);
      const { ended, ready } = await recorded(channel.id, live.eventId);
      expect(ended.reason).toBe("encoder-failed");
      expect(vodSegments(live.eventId, "480p").length).toBeGreaterThan(0);
      expect(ready.vodPath).toBe(`/hls/${live.eventId}/vod.m3u8`);
    } finally {
      publisher.process.kill("SIGKILL");
    }
  }, 120_000);
});
