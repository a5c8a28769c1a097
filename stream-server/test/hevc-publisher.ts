// A publisher as OBS 30+ is with HEVC: video over enhanced RTMP (an ExHeader with the FourCC
// "hvc1"), for tests. Debian 12's ffmpeg (5.1) cannot send it (its FLV muxer refuses HEVC), so
// the RTMP side is node-media-server's own client; the video is real, one libx265 frame (an
// IDR) sent ten times a second.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { localPorts } from "@stream-platform/shared";

const run = promisify(execFile);
const require = createRequire(import.meta.url);

interface Packet {
  codec_type: number;
  dts: number;
  pts: number;
  size: number;
  data: Buffer;
}
interface RtmpClient {
  onStatusCallback(code: string, info: { description?: string }): void;
  onCloseCallback(hadError: boolean): void;
  onErrorCallback(error: Error): void;
  connected: boolean;
  connect(url: string): Promise<void>;
  sendConnect(): Promise<unknown>;
  sendCreateStream(): Promise<number>;
  sendPublish(name: string): Promise<unknown>;
  sendMetaData(metadata: Record<string, unknown>): void;
  sendPacket(packet: Packet): void;
  disconnect(): void;
}
const RtmpClient = require("node-media-server/src/protocol/rtmp_client.js") as new () => RtmpClient;

/** HEVC as enhanced RTMP carries it: the decoder configuration, and a frame in length-prefixed NAL units. */
export interface HevcSample {
  /** The HEVCDecoderConfigurationRecord (ISO/IEC 14496-15), as in an MP4's hvcC box. */
  config: Buffer;
  /** An IDR frame's VCL NAL units, each after its 4-byte length. */
  keyframe: Buffer;
  width: number;
  height: number;
}

/** Encodes one test-pattern frame with libx265: its hvcC from an MP4, its slices from Annex B. */
export async function hevcSample(width = 320, height = 180): Promise<HevcSample> {
  const dir = mkdtempSync(join(tmpdir(), "hevc-"));
  try {
    const input = ["-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=10`];
    const hevc = ["-frames:v", "1", "-c:v", "libx265", "-x265-params", "log-level=error"];
    await run("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", ...input],
      ...[...hevc, "-f", "mp4", join(dir, "frame.mp4")],
      ...[...hevc, "-f", "hevc", join(dir, "frame.hevc")],
    ]);
    return {
      config: box(readFileSync(join(dir, "frame.mp4")), "hvcC"),
      keyframe: lengthPrefixed(nalUnits(readFileSync(join(dir, "frame.hevc")))),
      width,
      height,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The body of the first box of `type` in an ISO BMFF file (found by its name: enough here). */
function box(file: Buffer, type: string): Buffer {
  const at = file.indexOf(type, 0, "latin1");
  if (at < 4) throw new Error(`no ${type} box`);
  return file.subarray(at + 4, at - 4 + file.readUInt32BE(at - 4));
}

/** The VCL NAL units of an Annex B stream (parameter sets and SEI are in the configuration). */
function nalUnits(annexB: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 3 <= annexB.length; i++)
    if (annexB[i] === 0 && annexB[i + 1] === 0 && annexB[i + 2] === 1) starts.push(i + 3);
  return starts
    .map((start, n) => {
      let end = n + 1 < starts.length ? (starts[n + 1] as number) - 3 : annexB.length;
      while (end > start && annexB[end - 1] === 0) end--; // a 4-byte start code's leading zero
      return annexB.subarray(start, end);
    })
    .filter((unit) => (((unit[0] as number) >> 1) & 0x3f) < 32);
}

function lengthPrefixed(units: Buffer[]): Buffer {
  return Buffer.concat(
    units.flatMap((unit) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(unit.length);
      return [length, unit];
    }),
  );
}

const VIDEO = 9;
/** Enhanced RTMP's first video byte: IsExHeader, the frame type (1: key frame), the packet type. */
const exHeader = (packetType: number) => 0x80 | (1 << 4) | packetType;
const SEQUENCE_START = 0;
/** Coded frames without a composition time offset. */
const CODED_FRAMES_X = 3;

function videoPacket(packetType: number, payload: Buffer, dts: number): Packet {
  const data = Buffer.concat([Buffer.from([exHeader(packetType)]), Buffer.from("hvc1"), payload]);
  return { codec_type: VIDEO, dts, pts: dts, size: data.length, data };
}

export interface EnhancedPublisher {
  /** The onStatus messages the server sent, in order. */
  statuses: { code: string; description?: string }[];
  /** Resolves once the server closed the connection (or `seconds` passed and we did). */
  closed: Promise<void>;
}

/** Publishes `sample` over enhanced RTMP to the local stream-server for up to `seconds`. */
export async function publishHevc(
  streamKey: string,
  sample: HevcSample,
  { seconds = 10, url = `rtmp://127.0.0.1:${localPorts().rtmp}/live` } = {},
): Promise<EnhancedPublisher> {
  const client = new RtmpClient();
  const statuses: EnhancedPublisher["statuses"] = [];
  client.onStatusCallback = (code, info) => statuses.push({ code, description: info.description });
  client.onErrorCallback = () => undefined; // a refused connection may be reset: closed says so
  const closed = new Promise<void>((resolve) => {
    client.onCloseCallback = () => resolve();
  });
  await client.connect(`${url}/${streamKey}`);
  await client.sendConnect();
  await client.sendCreateStream();
  await client.sendPublish(streamKey);
  client.sendMetaData({
    width: sample.width,
    height: sample.height,
    framerate: 10,
    videocodecid: Buffer.from("hvc1").readUInt32BE(),
  });
  client.sendPacket(videoPacket(SEQUENCE_START, sample.config, 0));
  let dts = 0;
  const frames = setInterval(() => {
    if (!client.connected) return;
    client.sendPacket(videoPacket(CODED_FRAMES_X, sample.keyframe, dts));
    dts += 100;
  }, 100);
  const done = setTimeout(() => client.disconnect(), seconds * 1000);
  void closed.finally(() => {
    clearInterval(frames);
    clearTimeout(done);
  });
  return { statuses, closed };
}
