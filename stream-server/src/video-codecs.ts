// Which video a publisher sends, read from the first bytes of each RTMP video message, and
// whether the ladder can take it. Only H.264 in the classic FLV header can: the `source`
// rendition is copied into MPEG-TS HLS as it is, and Debian 12's ffmpeg (5.1) cannot read
// enhanced RTMP at all (HEVC, AV1 or VP9 from OBS 30+, sent with a FourCC: that came in
// ffmpeg 6.1), so such a stream would never produce a segment. It is refused with the reason.

/** FLV's classic video codec ids (the low four bits of the first byte). */
const CLASSIC: Record<number, string> = {
  2: "Sorenson H.263",
  3: "Screen video",
  4: "On2 VP6",
  5: "On2 VP6 with alpha",
  6: "Screen video 2",
  7: "H.264",
  // Not in the FLV specification: some encoders' own ids for HEVC and AV1.
  12: "HEVC (H.265)",
  13: "AV1",
};

/** Enhanced RTMP's FourCCs (veovera's enhanced-rtmp specification). */
const FOURCC: Record<string, string> = {
  hvc1: "HEVC (H.265)",
  av01: "AV1",
  vp09: "VP9",
  avc1: "H.264 in enhanced RTMP",
};

/** Enhanced RTMP's packet type for several tracks in one message (its FourCC comes later). */
const MULTITRACK = 6;

/** The video codec of an RTMP video message's body, by name (undefined for an empty body). */
export function videoCodecOf(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  const first = body[0] as number;
  // The top bit says enhanced RTMP: a packet type, then the FourCC.
  if (first & 0x80) {
    if ((first & 0x0f) === MULTITRACK) return "multitrack video (enhanced RTMP)";
    const fourCC = body.toString("latin1", 1, 5);
    return FOURCC[fourCC] ?? `"${fourCC.replace(/[^\x20-\x7e]/g, "?")}" (enhanced RTMP)`;
  }
  const id = first & 0x0f;
  return CLASSIC[id] ?? `FLV video codec ${id}`;
}

/** Why a stream of this codec is refused, in words for the streamer; undefined when it is taken. */
export function unsupportedVideo(codec: string): string | undefined {
  if (codec === CLASSIC[7]) return undefined;
  return `${codec} video is not supported: set the encoder to H.264 (x264, or your GPU's H.264)`;
}
