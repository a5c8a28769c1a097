// What a publisher's first video message says it carries, and which codecs the ladder takes.
import { describe, expect, it } from "vitest";
import { unsupportedVideo, videoCodecOf } from "../../src/video-codecs.ts";

const enhanced = (packetType: number, fourCC: string) =>
  Buffer.concat([Buffer.from([0x80 | 0x10 | packetType]), Buffer.from(fourCC, "latin1")]);

describe("video codecs", () => {
  it("reads FLV's classic codec ids: H.264 (from x264 or OBS before 30) is taken", () => {
    // A key frame (1) of AVC (7), then an AVC sequence header (packet type 0).
    const avc = Buffer.from([0x17, 0x00, 0x00, 0x00, 0x00]);
    expect(videoCodecOf(avc)).toBe("H.264");
    expect(unsupportedVideo("H.264")).toBeUndefined();
    expect(videoCodecOf(Buffer.from([0x24]))).toBe("On2 VP6");
    expect(videoCodecOf(Buffer.from([0x1c]))).toBe("HEVC (H.265)");
    expect(videoCodecOf(Buffer.from([0x1f]))).toBe("FLV video codec 15");
    expect(videoCodecOf(Buffer.alloc(0))).toBeUndefined();
  });

  it("reads enhanced RTMP's FourCC, and refuses it with a reason the streamer can act on", () => {
    expect(videoCodecOf(enhanced(0, "hvc1"))).toBe("HEVC (H.265)");
    expect(videoCodecOf(enhanced(3, "av01"))).toBe("AV1");
    expect(videoCodecOf(enhanced(1, "vp09"))).toBe("VP9");
    expect(videoCodecOf(enhanced(0, "avc1"))).toBe("H.264 in enhanced RTMP");
    expect(videoCodecOf(enhanced(0, "xy\u0001z"))).toBe('"xy?z" (enhanced RTMP)');
    expect(videoCodecOf(enhanced(6, "hvc1"))).toBe("multitrack video (enhanced RTMP)");
    for (const codec of ["HEVC (H.265)", "AV1", "H.264 in enhanced RTMP", "On2 VP6"])
      expect(unsupportedVideo(codec)).toBe(
        `${codec} video is not supported: set the encoder to H.264 (x264, or your GPU's H.264)`,
      );
  });
});
