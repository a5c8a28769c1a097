// What a publisher sends, found out from the FLV the broadcast gives its subscribers before the
// encoder starts: audio, video or both (the tags of each kind, and onMetaData's codec ids when
// the publisher sent it), and how far apart the video's keyframes are (ladder.ts keeps the
// passed-through source only when they fit the segment length). While the stream goes on, the
// same watch keeps measuring the keyframe interval for the stream's health.
import { Writable } from "node:stream";
import type { StreamShape } from "./ladder.ts";
import { decodeAmf0Data } from "./nms.ts";

/** After the first audio or video tag, how long the other kind may take to show up. */
export const TRACK_WAIT_MS = 2000;
/** Beyond the keyframe limit, how long a stalled video may keep us waiting (wall clock). */
const KEYFRAME_STALL_MS = 2000;

const FLV_HEADER_BYTES = 13; // "FLV", version, flags, header size, first previous-tag size
const TAG_HEADER_BYTES = 11;
const AUDIO = 8;
const VIDEO = 9;
const SCRIPT = 18;

export interface ShapeOptions {
  /**
   * Keyframes further apart than this (ms) need not be measured exactly: the probe settles on
   * "at least this" once that much video went by without a second one. Undefined: the keyframe
   * interval is not needed to start (the ladder has no source to keep or drop).
   */
  keyframeLimitMs?: number;
  /** The clock (tests give their own). */
  now?: () => number;
}

/** Whether a video tag's body is a keyframe (a coded frame, not a sequence header). */
function isKeyframe(body: Buffer): boolean {
  const first = body[0] ?? 0;
  if (first & 0x80) {
    // Enhanced RTMP (HEVC, AV1, VP9): 3-bit frame type, then the packet type (1, 3: coded frames).
    const packetType = first & 0x0f;
    return ((first >> 4) & 0x07) === 1 && (packetType === 1 || packetType === 3);
  }
  // Legacy: frame type 1 is a keyframe; for H.264 the AVC packet type 1 is a frame (0: header).
  return first >> 4 === 1 && ((first & 0x0f) !== 7 || body[1] === 1);
}

/** An AAC or AVC sequence header (the decoder's configuration, not a frame). */
function isSequenceHeader(type: number, body: Buffer): boolean {
  const first = body[0] ?? 0;
  if (type === AUDIO) return first >> 4 === 10 && body[1] === 0;
  // Enhanced RTMP: packet type 0 is the sequence start; legacy AVC: packet type 0.
  if (first & 0x80) return (first & 0x0f) === 0;
  return (first & 0x0f) === 7 && body[1] === 0;
}

/** The tags of an FLV byte stream, read as they come; what the stream carries, found out. */
export class FlvWatch extends Writable {
  private pending: Buffer = Buffer.alloc(0);
  private headerRead = false;
  private readonly now: () => number;
  private firstMediaAt?: number;
  private declared?: { audio: boolean; video: boolean };
  private audioSeen = false;
  private videoSeen = false;
  private firstKeyframe?: { dts: number; at: number };
  private lastKeyframeDts?: number;
  private lastVideoDts?: number;
  private measuredMs?: number;
  /** The latest interval between two keyframes (ms), as the stream goes on. */
  keyframeMs?: number;
  /** The timestamp (ms) of the first audio or video frame this watch was given. */
  firstMediaDts?: number;
  /**
   * The least (arrival - timestamp) over the frames seen: what a timestamp is in wall-clock ms.
   * Frames replayed from the broadcast's cache arrive late for their timestamps; the first
   * frame that comes live sets it right.
   */
  private clockOffset?: number;

  constructor(private readonly options: ShapeOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (!this.headerRead) {
      if (this.pending.length < FLV_HEADER_BYTES) {
        done();
        return;
      }
      this.pending = this.pending.subarray(FLV_HEADER_BYTES);
      this.headerRead = true;
    }
    while (this.pending.length >= TAG_HEADER_BYTES) {
      const size = this.pending.readUIntBE(1, 3);
      const total = TAG_HEADER_BYTES + size + 4;
      if (this.pending.length < total) break;
      const type = this.pending[0] ?? 0;
      // 24 bits of milliseconds, then their upper 8.
      const dts = (this.pending.readUIntBE(4, 3) | ((this.pending[7] ?? 0) << 24)) >>> 0;
      this.tag(type, dts, this.pending.subarray(TAG_HEADER_BYTES, TAG_HEADER_BYTES + size));
      this.pending = this.pending.subarray(total);
    }
    done();
  }

  private tag(type: number, dts: number, body: Buffer): void {
    if (type === SCRIPT) {
      // Only onMetaData (node-media-server's decoder logs an error for commands it does not know).
      if (!body.includes("onMetaData")) return;
      const metadata = decodeAmf0Data(body).dataObj;
      if (metadata)
        this.declared = {
          audio: metadata.audiocodecid != null,
          video: metadata.videocodecid != null,
        };
      return;
    }
    if (type !== AUDIO && type !== VIDEO) return;
    this.firstMediaAt ??= this.now();
    if (!isSequenceHeader(type, body)) {
      this.firstMediaDts ??= dts;
      const offset = this.now() - dts;
      if (this.clockOffset === undefined || offset < this.clockOffset) this.clockOffset = offset;
    }
    if (type === AUDIO) {
      this.audioSeen = true;
      return;
    }
    this.videoSeen = true;
    this.lastVideoDts = dts;
    if (!isKeyframe(body)) return;
    if (this.lastKeyframeDts !== undefined && dts > this.lastKeyframeDts) {
      this.keyframeMs = dts - this.lastKeyframeDts;
      this.measuredMs ??= this.keyframeMs;
    }
    this.lastKeyframeDts = dts;
    this.firstKeyframe ??= { dts, at: this.now() };
  }

  /** The wall-clock time (ms since the epoch) a frame of this timestamp was received at. */
  wallClockAt(dts: number): number | undefined {
    return this.clockOffset === undefined ? undefined : this.clockOffset + dts;
  }

  /** What the stream carries, once known (undefined: not yet; keep watching). */
  shape(): StreamShape | undefined {
    const now = this.now();
    if (this.firstMediaAt === undefined) return undefined;
    const waited = now - this.firstMediaAt >= TRACK_WAIT_MS;
    // With onMetaData, a kind it does not name is not waited for; without it, both are.
    const audioKnown = this.audioSeen || waited || this.declared?.audio === false;
    const videoKnown = this.videoSeen || waited || this.declared?.video === false;
    if (!audioKnown || !videoKnown) return undefined;
    const tracks = { audio: this.audioSeen, video: this.videoSeen };
    const limit = this.options.keyframeLimitMs;
    if (!tracks.video || limit === undefined) return tracks;
    if (this.measuredMs !== undefined) return { ...tracks, keyframeMs: this.measuredMs };
    const first = this.firstKeyframe;
    const span = first ? (this.lastVideoDts ?? first.dts) - first.dts : 0;
    const since = first?.at ?? this.firstMediaAt;
    if (span > limit || now - since > limit + KEYFRAME_STALL_MS)
      return { ...tracks, keyframeMs: Math.max(span, limit + 1) };
    return undefined;
  }
}

/**
 * Waits until `watch` knows what the stream carries (polling its settled state: within
 * TRACK_WAIT_MS of the first tag, or a keyframe interval later); undefined if `gone()` first.
 */
export async function settledShape(
  watch: FlvWatch,
  gone: () => boolean,
): Promise<StreamShape | undefined> {
  for (;;) {
    if (gone()) return undefined;
    const shape = watch.shape();
    if (shape) return shape;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
