// The ladder for each shape of stream (audio and video, video alone, audio alone), and for each
// keyframe interval of the source: which renditions, the ffmpeg options, the master playlist.
import { describe, expect, it } from "vitest";
import { parseLadder, planLadder, transcodeOptions } from "../../src/ladder.ts";
import { masterPlaylist } from "../../src/playlists.ts";

const RUNGS = parseLadder("source,480p,360p");
const args = (ladder: ReturnType<typeof planLadder>) => ({
  ladder,
  segmentSeconds: 2,
  preset: "veryfast",
  posterSeconds: 5,
});
/** Every output's options, one line each. */
const joined = (ladder: ReturnType<typeof planLadder>) =>
  transcodeOptions(args(ladder))
    .outputs.map((output) => `${output.rung.name}: ${output.options.join(" ")}`)
    .join("\n");

describe("the ladder per shape of stream", () => {
  it("audio and video, keyframes every 2 s: every rendition with audio, keyframes on the source's", () => {
    const ladder = planLadder(RUNGS, { audio: true, video: true, keyframeMs: 2000 }, 2);
    expect(ladder.rungs.map((r) => r.name)).toEqual(["source", "480p", "360p"]);
    expect(ladder.sourceLeftOut).toBeUndefined();
    const options = joined(ladder);
    expect(options.match(/-force_key_frames source/g)).toHaveLength(2);
    // A frame leaves x264 once coded: no lookahead, no B-frames (LL-HLS, #25).
    expect(options.match(/-c:v libx264 -preset veryfast -tune zerolatency/g)).toHaveLength(2);
    expect(options.match(/-map 0:a:0/g)).toHaveLength(3);
    expect(options).toContain("source: -map 0:v:0 -c:v copy");
    expect(transcodeOptions(args(ladder)).filter).toContain("[poster]");
  });

  it("video without audio: the same renditions, no audio mapped or named", () => {
    const ladder = planLadder(RUNGS, { audio: false, video: true, keyframeMs: 1000 }, 2);
    expect(ladder.rungs.map((r) => r.name)).toEqual(["source", "480p", "360p"]);
    const options = joined(ladder);
    expect(options).not.toContain("0:a:0");
    expect(options).not.toContain("-c:a");
    expect(options.split("\n").map((line) => line.split(":")[0])).toEqual([
      "source",
      "480p",
      "360p",
    ]);
  });

  it("audio without video: one AAC rendition, no picture, no poster", () => {
    const ladder = planLadder(RUNGS, { audio: true, video: false }, 2);
    expect(ladder).toMatchObject({ rungs: [{ name: "audio" }], audio: true, video: false });
    const { filter } = transcodeOptions(args(ladder));
    expect(filter).toBeUndefined();
    const text = joined(ladder);
    expect(text).toContain("audio: -map 0:a:0 -c:a aac -b:a 128k");
    expect(text).not.toContain("-c:v");
    expect(text).not.toContain("0:v");
  });

  it("keyframes 8 s apart: the source is left out, saying why, and the rest cut on the segment clock", () => {
    const ladder = planLadder(RUNGS, { audio: true, video: true, keyframeMs: 8000 }, 2);
    expect(ladder.rungs.map((r) => r.name)).toEqual(["480p", "360p"]);
    expect(ladder.keyframes).toBe("clock");
    expect(ladder.sourceLeftOut).toMatch(/keyframes come more than 2 s apart.*interval to 2 s/);
    const options = joined(ladder);
    expect(options.match(/-force_key_frames expr:gte\(t,n_forced\*2\)/g)).toHaveLength(2);
    expect(options).not.toContain("copy");
    expect(options.split("\n").map((line) => line.split(":")[0])).toEqual(["480p", "360p"]);
  });

  it("keeps a source whose keyframes are a few frames late (2 s at 29.97 fps)", () => {
    expect(planLadder(RUNGS, { audio: true, video: true, keyframeMs: 2002 }, 2).rungs).toEqual(
      RUNGS,
    );
  });

  it("keeps the source when it is the only rendition, and uses the clock without one", () => {
    const sourceOnly = planLadder(parseLadder("source"), { audio: true, video: true }, 2);
    expect(sourceOnly.rungs.map((r) => r.name)).toEqual(["source"]);
    const encodedOnly = planLadder(parseLadder("720p,360p"), { audio: true, video: true }, 2);
    expect(encodedOnly.keyframes).toBe("clock");
    expect(joined(encodedOnly)).toContain("expr:gte(t,n_forced*2)");
  });
});

describe("the master playlist per shape", () => {
  it("names only the codecs a rendition has, and no resolution without a picture", () => {
    const videoOnly = masterPlaylist([
      { name: "480p", width: 854, height: 480, codecs: "avc1.4d401e", bandwidth: 1_500_000 },
    ]);
    expect(videoOnly).toContain(
      '#EXT-X-STREAM-INF:BANDWIDTH=1500000,RESOLUTION=854x480,CODECS="avc1.4d401e"\n480p/index.m3u8',
    );
    const audioOnly = masterPlaylist(
      [{ name: "audio", width: 0, height: 0, codecs: "mp4a.40.2", bandwidth: 140_000 }],
      "vod.m3u8",
    );
    expect(audioOnly).toContain(
      '#EXT-X-STREAM-INF:BANDWIDTH=140000,CODECS="mp4a.40.2"\naudio/vod.m3u8',
    );
  });
});
