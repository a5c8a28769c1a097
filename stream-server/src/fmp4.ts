// Fragmented MP4 (CMAF) as ffmpeg's mp4 muxer writes it to a pipe (empty_moov,
// default_base_moof): an init segment (ftyp + moov), then fragments (moof + mdat). The LL-HLS
// packager (ll-hls.ts) makes each fragment a part; this reads just what it needs of them: where
// each fragment starts and how long it lasts, whether it starts with a keyframe, and what the
// tracks carry (the master playlist's CODECS and RESOLUTION).

interface Box {
  type: string;
  /** The box's payload, after its header. */
  body: Buffer;
  /** The whole box, header included. */
  bytes: Buffer;
}

/** The boxes one after another in `data` (a box's payload, or a whole fragment). */
function* boxes(data: Buffer): Generator<Box> {
  let at = 0;
  while (at + 8 <= data.length) {
    const { size, header } = boxSize(data, at);
    if (size < header || at + size > data.length) throw new Error("truncated MP4 box");
    yield {
      type: data.toString("latin1", at + 4, at + 8),
      body: data.subarray(at + header, at + size),
      bytes: data.subarray(at, at + size),
    };
    at += size;
  }
}

/** A box's size and header length at `at` (a 64-bit size when the 32-bit one says 1). */
function boxSize(data: Buffer, at: number): { size: number; header: number } {
  const small = data.readUInt32BE(at);
  if (small !== 1) return { size: small, header: 8 };
  return { size: Number(data.readBigUInt64BE(at + 8)), header: 16 };
}

const child = (data: Buffer, type: string): Buffer | undefined => {
  for (const box of boxes(data)) if (box.type === type) return box.body;
  return undefined;
};
const children = (data: Buffer, type: string): Buffer[] =>
  [...boxes(data)].filter((box) => box.type === type).map((box) => box.body);
const path = (data: Buffer, ...types: string[]): Buffer | undefined =>
  types.reduce<Buffer | undefined>((at, type) => (at ? child(at, type) : undefined), data);

export interface Track {
  id: number;
  kind: "video" | "audio";
  /** Units of the track's times per second. */
  timescale: number;
  /** RFC 6381: avc1.PPCCLL or mp4a.40.2. */
  codec: string;
  width?: number;
  height?: number;
  /** From trex: what a fragment leaves out. */
  defaultDuration: number;
  defaultFlags: number;
}

export interface Init {
  /** ftyp and moov, as written: the playlist's EXT-X-MAP. */
  bytes: Buffer;
  tracks: Track[];
}

/** What a moov says of its tracks (video and audio only). */
export function readInit(bytes: Buffer): Init {
  const moov = child(bytes, "moov");
  if (!moov) throw new Error("no moov in the init segment");
  const trex = new Map<number, { duration: number; flags: number }>();
  for (const body of children(path(moov, "mvex") ?? Buffer.alloc(0), "trex"))
    trex.set(body.readUInt32BE(4), {
      duration: body.readUInt32BE(12),
      flags: body.readUInt32BE(20),
    });
  const tracks: Track[] = [];
  for (const trak of children(moov, "trak")) {
    const tkhd = child(trak, "tkhd");
    const mdhd = path(trak, "mdia", "mdhd");
    const hdlr = path(trak, "mdia", "hdlr");
    const stsd = path(trak, "mdia", "minf", "stbl", "stsd");
    if (!tkhd || !mdhd || !hdlr || !stsd) continue;
    const handler = hdlr.toString("latin1", 8, 12);
    if (handler !== "vide" && handler !== "soun") continue;
    const id = tkhd.readUInt32BE(tkhd[0] === 1 ? 20 : 12);
    const timescale = mdhd.readUInt32BE(mdhd[0] === 1 ? 20 : 12);
    const defaults = trex.get(id) ?? { duration: 0, flags: 0 };
    // stsd: version and flags, the entry count, then the sample entries.
    const entry = [...boxes(stsd.subarray(8))][0];
    if (!entry) continue;
    const track: Track = {
      id,
      kind: handler === "vide" ? "video" : "audio",
      timescale,
      codec: codecOf(entry),
      defaultDuration: defaults.duration,
      defaultFlags: defaults.flags,
    };
    if (track.kind === "video") {
      track.width = entry.body.readUInt16BE(24);
      track.height = entry.body.readUInt16BE(26);
    }
    tracks.push(track);
  }
  return { bytes, tracks };
}

/** The RFC 6381 name of a sample entry's codec. */
function codecOf(entry: Box): string {
  if (entry.type === "avc1" || entry.type === "avc3") {
    // A visual sample entry has 78 bytes before its child boxes; avcC's bytes 1-3 are the
    // profile, its constraint flags and the level.
    const avcC = child(entry.body.subarray(78), "avcC");
    if (!avcC) return entry.type;
    return `${entry.type}.${avcC.subarray(1, 4).toString("hex")}`;
  }
  // The ladder's audio is always AAC-LC (ladder.ts).
  if (entry.type === "mp4a") return "mp4a.40.2";
  return entry.type;
}

export interface Fragment {
  /** moof and mdat (and whatever came with them), as written: one part. */
  bytes: Buffer;
  /** When it starts and how long it lasts, in seconds of the lead track (video, else audio). */
  start: number;
  duration: number;
  /** Its lead track starts with a keyframe: a segment may begin here. */
  independent: boolean;
}

const NON_SYNC = 0x00010000;

/** What a fragment says of its lead track (its video, else its audio), given the init's tracks. */
export function readFragment(bytes: Buffer, tracks: Track[]): Fragment {
  const moof = child(bytes, "moof");
  if (!moof) throw new Error("no moof in the fragment");
  const trafs = children(moof, "traf").flatMap((traf) => {
    const tfhd = child(traf, "tfhd");
    const track = tfhd && tracks.find((t) => t.id === tfhd.readUInt32BE(4));
    return tfhd && track ? [{ traf, tfhd, track }] : [];
  });
  // The video's times when it has any. A fragment may hold only audio (a gap in the video, or
  // an encoder's last fragment): its times are the audio's, and with video in the stream it
  // starts no segment (every AAC frame is a sync sample, but a segment must start on a picture).
  const video = trafs.find((t) => t.track.kind === "video");
  const found = video ?? trafs[0];
  if (!found) throw new Error("the fragment has nothing of the init segment's tracks");
  const { traf, tfhd, track: lead } = found;
  const tfdt = child(traf, "tfdt");
  const base = !tfdt ? 0 : tfdt[0] === 1 ? Number(tfdt.readBigUInt64BE(4)) : tfdt.readUInt32BE(4);
  const { duration, firstFlags } = samples(tfhd, children(traf, "trun"), lead);
  const hasVideo = tracks.some((t) => t.kind === "video");
  return {
    bytes,
    start: base / lead.timescale,
    duration: duration / lead.timescale,
    independent: (firstFlags & NON_SYNC) === 0 && (video !== undefined || !hasVideo),
  };
}

/** The total duration of a track fragment's samples and its first sample's flags. */
function samples(
  tfhd: Buffer,
  truns: Buffer[],
  track: Track,
): { duration: number; firstFlags: number } {
  const tfhdFlags = tfhd.readUInt32BE(0) & 0xffffff;
  // tfhd: track_ID, then the optional fields its flags announce, in this order.
  let at = 8;
  if (tfhdFlags & 0x01) at += 8; // base-data-offset
  if (tfhdFlags & 0x02) at += 4; // sample-description-index
  let defaultDuration = track.defaultDuration;
  let defaultFlags = track.defaultFlags;
  if (tfhdFlags & 0x08) {
    defaultDuration = tfhd.readUInt32BE(at);
    at += 4;
  }
  if (tfhdFlags & 0x10) at += 4; // default-sample-size
  if (tfhdFlags & 0x20) defaultFlags = tfhd.readUInt32BE(at);

  let duration = 0;
  let firstFlags: number | undefined;
  for (const trun of truns) {
    const flags = trun.readUInt32BE(0) & 0xffffff;
    const count = trun.readUInt32BE(4);
    let p = 8;
    if (flags & 0x01) p += 4; // data-offset
    let first: number | undefined;
    if (flags & 0x04) {
      first = trun.readUInt32BE(p);
      p += 4;
    }
    for (let i = 0; i < count; i++) {
      let sampleDuration = defaultDuration;
      let sampleFlags = i === 0 && first !== undefined ? first : defaultFlags;
      if (flags & 0x100) {
        sampleDuration = trun.readUInt32BE(p);
        p += 4;
      }
      if (flags & 0x200) p += 4; // size
      if (flags & 0x400) {
        sampleFlags = trun.readUInt32BE(p);
        p += 4;
      }
      if (flags & 0x800) p += 4; // composition time offset
      duration += sampleDuration;
      firstFlags ??= sampleFlags;
    }
  }
  return { duration, firstFlags: firstFlags ?? defaultFlags };
}

/**
 * Splits a byte stream into the init segment and then whole fragments, as they complete: a
 * fragment ends with its mdat (the boxes before a moof, such as styp or prft, go with it).
 */
export class Fmp4Splitter {
  private pending: Buffer = Buffer.alloc(0);
  private held: Buffer[] = [];
  private init?: Buffer[] = [];

  /** The init segment, then the fragments, completed by this chunk. */
  push(chunk: Buffer): { init?: Buffer; fragments: Buffer[] } {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: { init?: Buffer; fragments: Buffer[] } = { fragments: [] };
    for (;;) {
      if (this.pending.length < 8) break;
      if (this.pending.readUInt32BE(0) === 1 && this.pending.length < 16) break;
      const { size } = boxSize(this.pending, 0);
      if (size < 8) throw new Error("malformed MP4 box size");
      if (this.pending.length < size) break;
      const type = this.pending.toString("latin1", 4, 8);
      const box = this.pending.subarray(0, size);
      this.pending = this.pending.subarray(size);
      if (this.init) {
        this.init.push(box);
        if (type === "moov") {
          out.init = Buffer.concat(this.init);
          this.init = undefined;
        }
        continue;
      }
      this.held.push(box);
      if (type === "mdat") {
        out.fragments.push(Buffer.concat(this.held));
        this.held = [];
      }
    }
    return out;
  }
}
