// Enhanced RTMP (#25): OBS 30+ may send HEVC or AV1 with a FourCC. node-media-server 4 takes it,
// but Debian 12's ffmpeg (5.1) cannot read it, so stream-server refuses the publish on its first
// video message and tells the streamer why (an onStatus error), rather than leaving it connected
// with nothing ever going live. The publisher is node-media-server's RTMP client sending real
// libx265 frames (hevc-publisher.ts): this ffmpeg cannot send HEVC over RTMP itself.
import {
  api,
  type EventWatch,
  liveStream,
  newUser,
  type TestUser,
  uniqueSlug,
  watchEvents,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hevcSample, publishHevc } from "./hevc-publisher.ts";

let owner: TestUser;
let watch: EventWatch;

beforeAll(async () => {
  owner = await newUser("obs30");
  watch = await watchEvents(["streams"]);
});

afterAll(async () => {
  await watch?.stop();
});

describe("HEVC over enhanced RTMP", () => {
  it("is refused with the reason, and nothing goes live", async () => {
    const created = await api<{ id: string; streamKey: string }>("/api/channels", {
      token: owner.token,
      body: { slug: uniqueSlug("hevc"), title: "HEVC from OBS" },
    });
    expect(created.status).toBe(201);
    const sample = await hevcSample();

    // Would publish for 30 s if the server let it.
    const publisher = await publishHevc(created.body.streamKey, sample, { seconds: 30 });
    await publisher.closed;

    // node-media-server answers the publish command before anyone sees a frame; the refusal
    // follows the first video message.
    expect(publisher.statuses.map((s) => s.code)).toEqual([
      "NetStream.Publish.Start",
      "NetStream.Publish.Rejected",
    ]);
    expect(publisher.statuses[1]?.description).toBe(
      "HEVC (H.265) video is not supported: set the encoder to H.264 (x264, or your GPU's H.264)",
    );
    expect(await liveStream(created.body.id)).toBeUndefined();
    const ofChannel = watch.events.filter(
      (e) => (e.data as { channelId?: string }).channelId === created.body.id,
    );
    expect(ofChannel).toEqual([]);
  });
});
