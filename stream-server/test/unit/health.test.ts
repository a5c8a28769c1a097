// A stream's health from what ffmpeg prints: its stats lines, its input's description, and the
// bytes its input counts; with values and a clock of our own.
import { describe, expect, it } from "vitest";
import { EncoderHealth, parseStats, SIGNAL_TIMEOUT_MS } from "../../src/health.ts";

const INPUT = [
  "Input #0, flv, from 'pipe:0':",
  "  Stream #0:0: Video: h264 (High), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 30 fps",
  "  Stream #0:1: Audio: aac (LC), 44100 Hz, stereo, fltp, 128 kb/s",
  "Stream mapping:",
  "Output #0, hls, to '%v/index.m3u8':",
  "  Stream #0:0: Video: h264, yuv420p, 854x480, q=2-31, 30 fps",
];

describe("ffmpeg's stats line", () => {
  it("gives fps, speed, and dropped and duplicated frames", () => {
    expect(
      parseStats(
        "frame=  301 fps= 29.8 q=28.0 size=N/A time=00:00:10.03 bitrate=N/A dup=1 drop=4 speed=0.99x",
      ),
    ).toEqual({ fps: 29.8, speed: 0.99, dup: 1, drop: 4 });
  });
  it("counts no drops when ffmpeg prints none, and no speed before it knows one", () => {
    expect(parseStats("frame=    0 fps=0.0 q=0.0 size=N/A time=N/A bitrate=N/A speed=N/A")).toEqual(
      { fps: 0, dup: 0, drop: 0 },
    );
  });
  it("is nothing else", () => {
    expect(parseStats("Input #0, flv, from 'pipe:0':")).toBeUndefined();
  });
});

describe("an encoder's health", () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it("reads the input's picture size, the input bitrate over the last seconds, and the pace", async () => {
    const time = clock();
    const health = new EncoderHealth(time.now);
    for (const line of INPUT) health.read(line);
    const input = health.input({});
    input.resume();
    for (let second = 0; second < 4; second++) {
      input.write(Buffer.alloc(250_000)); // 2 Mbit each second
      await new Promise((resolve) => setImmediate(resolve)); // read on by the encoder
      health.read(`frame=${second * 30} fps=30 q=28.0 size=N/A time=N/A bitrate=N/A speed=1.01x`);
      time.advance(1000);
    }
    expect(health.snapshot()).toMatchObject({
      signal: true,
      width: 640,
      height: 360,
      fps: 30,
      speed: 1.01,
      droppedFrames: 0,
      inputKbps: 2000,
    });
  });

  it("has no signal once ffmpeg has said nothing for a while", () => {
    const time = clock();
    const health = new EncoderHealth(time.now);
    expect(health.snapshot().signal).toBe(false);
    health.read("frame=  1 fps=30 q=28.0 size=N/A time=N/A bitrate=N/A speed=1x");
    expect(health.snapshot().signal).toBe(true);
    time.advance(SIGNAL_TIMEOUT_MS);
    expect(health.snapshot().signal).toBe(false);
  });

  it("keeps counting dropped frames over an ffmpeg restart", () => {
    const health = new EncoderHealth();
    health.read("frame=  90 fps=30 q=28.0 size=N/A time=N/A bitrate=N/A dup=0 drop=5 speed=1x");
    health.restarted();
    health.read("frame=  30 fps=30 q=28.0 size=N/A time=N/A bitrate=N/A dup=2 drop=1 speed=1x");
    expect(health.snapshot()).toMatchObject({ droppedFrames: 6, duplicatedFrames: 2 });
  });
});
