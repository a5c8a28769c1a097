// The parts of stream-server that need no server: the ladder, playlists, redaction, S3 upload.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { parseLadder, transcodeOptions } from "../src/ladder.ts";
import { redactStreamPaths } from "../src/nms.ts";
import { asVod, masterPlaylist, mediaSegments } from "../src/playlists.ts";
import { uploadRecording } from "../src/recordings.ts";

describe("ladder", () => {
  it("reads the default ladder and custom bitrates", () => {
    expect(parseLadder("source,480p,360p:700")).toEqual([
      { name: "source" },
      { name: "480p", height: 480, videoKbps: 1400 },
      { name: "360p", height: 360, videoKbps: 700 },
    ]);
  });

  it("names a bad entry", () => {
    expect(() => parseLadder("source,fast")).toThrow(/"fast"/);
    expect(() => parseLadder(" , ")).toThrow(/at least one/);
  });

  it("passes the source through and aligns the encoded keyframes on it", () => {
    const { filter, outputs } = transcodeOptions({
      ladder: { rungs: parseLadder("source,480p"), audio: true, video: true, keyframes: "source" },
      segmentSeconds: 2,
      preset: "veryfast",
      posterSeconds: 5,
    });
    expect(filter).toContain("scale=-2:480");
    const [source, encoded] = outputs.map((output) => output.options.join(" "));
    expect(outputs.map((output) => output.rung.name)).toEqual(["source", "480p"]);
    expect(source).toContain("-map 0:v:0 -c:v copy -map 0:a:0 -c:a aac");
    expect(encoded).toContain("-map [v0] -c:v libx264");
    expect(encoded).toContain("-force_key_frames source");
    // Both as fragmented MP4 for the LL-HLS packager.
    for (const output of [source, encoded])
      expect(output).toContain("-f mp4 -movflags empty_moov+default_base_moof+frag_keyframe");
  });
});

describe("playlists", () => {
  const live = [
    "#EXTM3U",
    "#EXT-X-VERSION:6",
    "#EXT-X-TARGETDURATION:2",
    "#EXT-X-PLAYLIST-TYPE:EVENT",
    "#EXTINF:2.0,",
    "#EXT-X-PROGRAM-DATE-TIME:2030-01-01T00:00:00.000+0000",
    "seg_00000.ts",
    "#EXTINF:1.5,",
    "seg_00001.ts",
    "",
  ].join("\n");

  it("turns a live playlist into VOD, once", () => {
    const vod = asVod(live);
    expect(vod).toContain("#EXT-X-PLAYLIST-TYPE:VOD");
    expect(vod).not.toContain("EVENT");
    expect(vod.trimEnd().endsWith("#EXT-X-ENDLIST")).toBe(true);
    expect(asVod(vod)).toBe(vod);
    expect(mediaSegments(vod)).toEqual([
      { uri: "seg_00000.ts", duration: 2 },
      { uri: "seg_00001.ts", duration: 1.5 },
    ]);
  });

  it("writes a master playlist, highest bandwidth first", () => {
    const master = masterPlaylist([
      {
        name: "360p",
        width: 640,
        height: 360,
        codecs: "avc1.4d401e,mp4a.40.2",
        bandwidth: 900_000,
      },
      {
        name: "source",
        width: 1280,
        height: 720,
        codecs: "avc1.64001f,mp4a.40.2",
        bandwidth: 3_000_000,
      },
    ]);
    expect(master.split("\n").slice(3, 5)).toEqual([
      '#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2"',
      "source/index.m3u8",
    ]);
  });

  it("leaves a low-latency playlist's parts out of its VOD", () => {
    const vod = asVod(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:9",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12,PART-HOLD-BACK=0.75",
        "#EXT-X-PART-INF:PART-TARGET=0.25",
        '#EXT-X-MAP:URI="init_0.mp4"',
        '#EXT-X-PART:DURATION=0.2,URI="part_00000_0.m4s",INDEPENDENT=YES',
        "#EXTINF:0.2,",
        "seg_00000.m4s",
        "#EXT-X-ENDLIST",
        "",
      ].join("\n"),
    );
    expect(vod).toBe(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:9",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        '#EXT-X-MAP:URI="init_0.mp4"',
        "#EXTINF:0.2,",
        "seg_00000.m4s",
        "#EXT-X-ENDLIST",
        "",
      ].join("\n"),
    );
  });
});

describe("logs", () => {
  it("never show a stream key", () => {
    const line = "RTMP session abc 127.0.0.1:5000 start push /live/sk_Secret-Key_123, ok";
    expect(redactStreamPaths(line)).toBe(
      "RTMP session abc 127.0.0.1:5000 start push /live/[key], ok",
    );
    expect(redactStreamPaths("key sk_AbC-d_9 leaked")).toBe("key [key] leaked");
  });
});

describe("S3 upload", () => {
  const s3 = mockClient(S3Client);
  // Never reaches AWS: every command is answered by the mock.
  const testClient = () =>
    new S3Client({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
  let dir: string | undefined;
  afterEach(() => {
    s3.reset();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("uploads every file of the recording with its content type, skipping work files", async () => {
    dir = mkdtempSync(join(tmpdir(), "recording-"));
    mkdirSync(join(dir, "480p"));
    writeFileSync(join(dir, "vod.m3u8"), "#EXTM3U\n");
    writeFileSync(join(dir, "ffmpeg-master.m3u8"), "#EXTM3U\n");
    writeFileSync(join(dir, "poster.jpg"), "jpeg");
    writeFileSync(join(dir, "480p", "vod.m3u8"), "#EXTM3U\n");
    writeFileSync(join(dir, "480p", "init_0.mp4"), Buffer.alloc(64));
    writeFileSync(join(dir, "480p", "seg_00000.m4s"), Buffer.alloc(1024));
    writeFileSync(join(dir, "480p", "seg_00001.m4s.tmp"), "partial");
    s3.on(PutObjectCommand).resolves({});

    const keys = await uploadRecording(
      testClient(),
      { bucket: "videos", prefix: "recordings/" },
      "evt_1",
      dir,
    );
    expect(keys).toEqual([
      "recordings/evt_1/480p/init_0.mp4",
      "recordings/evt_1/480p/seg_00000.m4s",
      "recordings/evt_1/480p/vod.m3u8",
      "recordings/evt_1/poster.jpg",
      "recordings/evt_1/vod.m3u8",
    ]);
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((p) => [p.Key, p.ContentType])).toEqual([
      ["recordings/evt_1/480p/init_0.mp4", "video/mp4"],
      ["recordings/evt_1/480p/seg_00000.m4s", "video/iso.segment"],
      ["recordings/evt_1/480p/vod.m3u8", "application/vnd.apple.mpegurl"],
      ["recordings/evt_1/poster.jpg", "image/jpeg"],
      ["recordings/evt_1/vod.m3u8", "application/vnd.apple.mpegurl"],
    ]);
    expect(puts.every((p) => p.Bucket === "videos")).toBe(true);
  });

  it("fails when the storage refuses, so the caller can log it", async () => {
    dir = mkdtempSync(join(tmpdir(), "recording-"));
    writeFileSync(join(dir, "vod.m3u8"), "#EXTM3U\n");
    s3.on(PutObjectCommand).rejects(new Error("AccessDenied"));
    await expect(
      uploadRecording(testClient(), { bucket: "videos", prefix: "" }, "evt_2", dir),
    ).rejects.toThrow(/AccessDenied/);
  });
});
