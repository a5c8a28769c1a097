// What a publisher sends, read from the FLV a broadcast gives its subscribers: FLV tags made
// here, byte by byte, and a clock of our own.
import { describe, expect, it } from "vitest";
import { FlvWatch, TRACK_WAIT_MS } from "../../src/stream-shape.ts";

const HEADER = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);

function tag(type: number, dts: number, body: Buffer): Buffer {
  const out = Buffer.alloc(11 + body.length + 4);
  out[0] = type;
  out.writeUIntBE(body.length, 1, 3);
  out.writeUIntBE(dts & 0xffffff, 4, 3);
  out[7] = (dts >>> 24) & 0xff;
  body.copy(out, 11);
  out.writeUInt32BE(11 + body.length, 11 + body.length);
  return out;
}

const amfString = (text: string) => {
  const out = Buffer.alloc(2 + text.length);
  out.writeUInt16BE(text.length);
  out.write(text, 2);
  return out;
};
/** `@setDataFrame onMetaData {key: number…}` as an RTMP publisher sends it. */
function metadata(fields: Record<string, number>): Buffer {
  const entries = Object.entries(fields).flatMap(([key, value]) => {
    const number = Buffer.alloc(9);
    number.writeDoubleBE(value, 1);
    return [amfString(key), number];
  });
  const count = Buffer.alloc(4);
  count.writeUInt32BE(Object.keys(fields).length);
  return tag(
    18,
    0,
    Buffer.concat([
      Buffer.from([2]),
      amfString("@setDataFrame"),
      Buffer.from([2]),
      amfString("onMetaData"),
      Buffer.from([8]),
      count,
      ...entries,
      Buffer.from([0, 0, 9]),
    ]),
  );
}
const aac = (dts: number) => tag(8, dts, Buffer.from([0xaf, 1, 0x21]));
const keyframe = (dts: number) => tag(9, dts, Buffer.from([0x17, 1, 0, 0, 0]));
const interframe = (dts: number) => tag(9, dts, Buffer.from([0x27, 1, 0, 0, 0]));
const avcHeader = () => tag(9, 0, Buffer.from([0x17, 0, 0, 0, 0]));

function watching(keyframeLimitMs?: number) {
  let now = 1_000_000;
  const watch = new FlvWatch({ keyframeLimitMs, now: () => now });
  const send = (...buffers: Buffer[]) => {
    for (const buffer of buffers) watch.write(buffer);
  };
  return { watch, send, advance: (ms: number) => (now += ms) };
}

describe("what a publisher sends", () => {
  it("audio and video: known at once, with the keyframe interval when asked for", () => {
    const { watch, send } = watching(2250);
    send(HEADER, metadata({ videocodecid: 7, audiocodecid: 10 }), avcHeader(), keyframe(0));
    send(aac(0), interframe(33));
    expect(watch.shape()).toBeUndefined(); // the interval is not known yet
    send(keyframe(2000));
    expect(watch.shape()).toEqual({ audio: true, video: true, keyframeMs: 2000 });
  });

  it("video without audio, as onMetaData says: not waited for", () => {
    const { watch, send } = watching();
    send(HEADER, metadata({ videocodecid: 7, width: 640 }), avcHeader(), keyframe(0));
    expect(watch.shape()).toEqual({ audio: false, video: true });
  });

  it("audio without video, and no onMetaData: the video is waited for a moment", () => {
    const { watch, send, advance } = watching(2250);
    send(HEADER, aac(0), aac(23));
    expect(watch.shape()).toBeUndefined();
    advance(TRACK_WAIT_MS);
    expect(watch.shape()).toEqual({ audio: true, video: false });
  });

  it("keyframes far apart: settles once more video than the limit went by without one", () => {
    const { watch, send } = watching(2250);
    send(HEADER, metadata({ videocodecid: 7, audiocodecid: 10 }), avcHeader(), keyframe(10_000));
    for (let dts = 10_033; dts < 12_250; dts += 33) send(interframe(dts), aac(dts));
    expect(watch.shape()).toBeUndefined();
    send(interframe(12_300));
    expect(watch.shape()).toMatchObject({ audio: true, video: true });
    expect(watch.shape()?.keyframeMs).toBeGreaterThan(2250);
    // Watching on, it measures the real interval for the stream's health.
    send(keyframe(18_000));
    expect(watch.keyframeMs).toBe(8000);
  });

  it("reads tags split across writes and joined in one", () => {
    const { watch, send } = watching();
    const all = Buffer.concat([HEADER, metadata({ audiocodecid: 10 }), aac(0), aac(23)]);
    send(all.subarray(0, 7), all.subarray(7, 40), all.subarray(40));
    expect(watch.shape()).toEqual({ audio: true, video: false });
  });

  it("knows nothing before the first audio or video", () => {
    const { watch, send, advance } = watching();
    send(HEADER, metadata({ videocodecid: 7, audiocodecid: 10 }));
    advance(60_000);
    expect(watch.shape()).toBeUndefined();
  });
});
