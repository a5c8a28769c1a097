// Rotating a stream key while live (#25): the owner rotates it through the API while ffmpeg
// publishes with it; accounts says so on Kafka (channel.key-rotated), stream-server cuts that
// publish, telling the publisher why, and the stream ends as any other (stream.ended, then its
// recording). A late rotation event (the publish already uses the current key) cuts nothing. The
// old key is refused from then on, the new one is taken.
import { readFileSync } from "node:fs";
import { createEvent } from "@stream-platform/shared";
import {
  api,
  type EventWatch,
  liveStream,
  newChannel,
  newUser,
  postToIngress,
  publishTestPattern,
  type TestUser,
  until,
  watchEvents,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logFile } from "../../local/src/paths.ts";

let owner: TestUser;
let watch: EventWatch;

beforeAll(async () => {
  owner = await newUser("rotator");
  watch = await watchEvents(["streams", "events"]);
});

afterAll(async () => {
  await watch?.stop();
});

/** A small picture: the ladder's work is not what this test is about. */
const publish = (key: string, seconds: number) =>
  publishTestPattern(key, { seconds, size: "640x360" });

const live = (channelId: string, notStream?: string) =>
  until(
    "the stream to go live",
    async () => {
      const stream = await liveStream(channelId);
      return stream?.startedAt && stream.streamId !== notStream ? stream : undefined;
    },
    30_000,
  );

/** stream-server's log lines about a stream that say `what`. */
const logLines = (what: string, streamId: string) =>
  readFileSync(logFile("stream-server"), "utf8")
    .split("\n")
    .filter((line) => line.includes(what) && line.includes(streamId));

/** The reason ffmpeg printed for the server's refusal (its other lines name the URL, key and all). */
const serverError = (errors: string) => /Server error: (.*)/.exec(errors)?.[1];

const ofStream = (type: string, streamId: string) =>
  watch.waitFor(
    (e) => e.type === type && (e.data as { streamId?: string }).streamId === streamId,
    30_000,
  );

describe("a stream key rotated while live", () => {
  it("cuts the publish, which ends with its recording; the old key is refused, the new one taken", async () => {
    const channel = await newChannel(owner);
    // Would stream for a minute (and exit 0) if nothing cut it.
    const first = publish(channel.streamKey, 60);
    const stream = await live(channel.id);

    // A late event (the key rotated before this publish began) cuts nothing: stream-server asks
    // accounts about the publish's own key, which is still good.
    const late = createEvent({
      type: "streamplatform.channel.key-rotated",
      source: "/tests",
      subject: channel.id,
      data: { channelId: channel.id, rotatedAt: new Date().toISOString() },
    });
    expect(await postToIngress(late)).toBe(202);
    await until("the late rotation to be judged", async () =>
      logLines("publish kept", stream.streamId).length > 0 ? true : undefined,
    );
    expect((await liveStream(channel.id))?.streamId).toBe(stream.streamId);

    const rotated = await api<{ streamKey: string }>(`/api/channels/${channel.id}/stream-key`, {
      method: "POST",
      token: owner.token,
    });
    expect(rotated.status).toBe(200);

    // The publisher is told why, and its connection closes: ffmpeg fails well before its minute.
    expect(await first.exited).not.toBe(0);
    expect(serverError(await first.errors)).toBe(
      "the stream key was rotated: publish with the new key",
    );
    // The stream ends as any other: stream.ended, then the recording, and the event with it.
    await ofStream("streamplatform.stream.ended", stream.streamId);
    const ready = await ofStream("streamplatform.recording.ready", stream.streamId);
    expect(ready.data).toMatchObject({
      eventId: stream.eventId,
      vodPath: `/hls/${stream.eventId}/vod.m3u8`,
    });
    expect((ready.data as { durationSeconds: number }).durationSeconds).toBeGreaterThan(0);
    await until("the event to end with its recording", async () => {
      const event = (
        await api<{ status: string; vodPath?: string }>(`/api/events/${stream.eventId}`)
      ).body;
      return event.status === "ended" && event.vodPath ? event : undefined;
    });
    // stream-server's log says why it was cut, and names no key.
    const cut = logLines("publish cut", stream.streamId);
    expect(cut).toHaveLength(1);
    expect(cut[0]).toContain("the stream key was rotated");
    expect(cut[0]).not.toContain(channel.streamKey);
    expect(cut[0]).not.toContain(rotated.body.streamKey);

    // The old key is refused, with the reason.
    const again = publish(channel.streamKey, 5);
    expect(await again.exited).not.toBe(0);
    expect(serverError(await again.errors)).toBe("unknown or rotated stream key");

    // The new key goes live: a new stream of the same channel.
    const next = publish(rotated.body.streamKey, 30);
    const nextStream = await live(channel.id, stream.streamId);
    next.process.kill("SIGKILL");
    await ofStream("streamplatform.stream.ended", nextStream.streamId);
  });
});
