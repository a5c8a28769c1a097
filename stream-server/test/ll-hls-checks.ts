// mediastreamvalidator-style checks of a Low-Latency HLS media playlist (RFC 8216bis): what a
// player relies on, each broken rule said in words.

export interface PlaylistSegment {
  msn: number;
  duration: number;
  uri?: string;
  parts: { duration: number; uri: string; independent: boolean }[];
  programDateTime?: number;
}

export interface ReadPlaylist {
  targetDuration: number;
  partTarget: number;
  serverControl: Record<string, string>;
  segments: PlaylistSegment[];
  preloadHint?: string;
  ended: boolean;
  skipped: number;
}

const attributes = (text: string): Record<string, string> =>
  Object.fromEntries(
    [...text.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)].map((m) => [
      m[1] as string,
      (m[2] as string).replace(/^"|"$/g, ""),
    ]),
  );

/** A media playlist read into its segments and parts (the open segment last, without uri). */
export function readPlaylist(text: string): ReadPlaylist {
  const read: ReadPlaylist = {
    targetDuration: Number.NaN,
    partTarget: Number.NaN,
    serverControl: {},
    segments: [],
    ended: false,
    skipped: 0,
  };
  let msn = 0;
  let current: PlaylistSegment = { msn, duration: 0, parts: [] };
  let extinf: number | undefined;
  for (const line of text.split("\n")) {
    const [tag, value = ""] = line.split(/:(.*)/s) as [string, string?];
    if (tag === "#EXT-X-TARGETDURATION") read.targetDuration = Number(value);
    else if (tag === "#EXT-X-MEDIA-SEQUENCE") {
      msn = Number(value);
      current.msn = msn;
    } else if (tag === "#EXT-X-PART-INF")
      read.partTarget = Number(attributes(value)["PART-TARGET"]);
    else if (tag === "#EXT-X-SERVER-CONTROL") read.serverControl = attributes(value);
    else if (tag === "#EXT-X-SKIP") {
      read.skipped = Number(attributes(value)["SKIPPED-SEGMENTS"]);
      msn += read.skipped;
      current.msn = msn;
    } else if (tag === "#EXT-X-PROGRAM-DATE-TIME") current.programDateTime = Date.parse(value);
    else if (tag === "#EXT-X-PART") {
      const part = attributes(value);
      current.parts.push({
        duration: Number(part.DURATION),
        uri: part.URI ?? "",
        independent: part.INDEPENDENT === "YES",
      });
    } else if (tag === "#EXT-X-PRELOAD-HINT") read.preloadHint = attributes(value).URI;
    else if (tag === "#EXT-X-ENDLIST") read.ended = true;
    else if (tag === "#EXTINF") extinf = Number.parseFloat(value);
    else if (line && !line.startsWith("#")) {
      read.segments.push({ ...current, duration: extinf ?? Number.NaN, uri: line });
      msn += 1;
      current = { msn, duration: 0, parts: [] };
      extinf = undefined;
    }
  }
  if (current.parts.length > 0)
    read.segments.push({
      ...current,
      duration: current.parts.reduce((sum, part) => sum + part.duration, 0),
    });
  return read;
}

/** What is wrong with a live LL-HLS media playlist; empty when nothing is. */
export function llHlsProblems(text: string): string[] {
  const problems: string[] = [];
  const list = readPlaylist(text);
  if (!text.startsWith("#EXTM3U\n")) problems.push("does not start with #EXTM3U");
  if (!(list.targetDuration > 0)) problems.push("no EXT-X-TARGETDURATION");
  if (!(list.partTarget > 0)) problems.push("no EXT-X-PART-INF with a PART-TARGET");
  const control = list.serverControl;
  if (control["CAN-BLOCK-RELOAD"] !== "YES") problems.push("CAN-BLOCK-RELOAD is not YES");
  const holdBack = Number(control["PART-HOLD-BACK"]);
  if (!(holdBack >= 2 * list.partTarget))
    problems.push(`PART-HOLD-BACK ${holdBack} is less than twice PART-TARGET ${list.partTarget}`);
  if (control["CAN-SKIP-UNTIL"] && Number(control["CAN-SKIP-UNTIL"]) < 6 * list.targetDuration)
    problems.push("CAN-SKIP-UNTIL is less than six target durations");
  if (!list.ended && !list.preloadHint) problems.push("a live playlist without EXT-X-PRELOAD-HINT");
  for (const [i, segment] of list.segments.entries()) {
    const name = `segment ${segment.msn}`;
    if (i > 0 && segment.msn !== (list.segments[i - 1] as PlaylistSegment).msn + 1)
      problems.push(`${name}: media sequence numbers not consecutive`);
    if (Math.round(segment.duration) > list.targetDuration)
      problems.push(`${name}: ${segment.duration} s, longer than the target duration`);
    if (segment.programDateTime === undefined) problems.push(`${name}: no PROGRAM-DATE-TIME`);
    for (const part of segment.parts)
      if (part.duration > list.partTarget + 0.0005)
        problems.push(`${name}: part ${part.uri} of ${part.duration} s exceeds PART-TARGET`);
    if (segment.parts.length > 0) {
      if (!segment.parts[0]?.independent)
        problems.push(`${name}: its first part is not INDEPENDENT`);
      const sum = segment.parts.reduce((total, part) => total + part.duration, 0);
      if (segment.uri && Math.abs(sum - segment.duration) > 0.002)
        problems.push(`${name}: its parts last ${sum} s, its EXTINF ${segment.duration} s`);
    }
    const previous = list.segments[i - 1];
    if (
      previous?.programDateTime !== undefined &&
      segment.programDateTime !== undefined &&
      segment.programDateTime <= previous.programDateTime
    )
      problems.push(`${name}: PROGRAM-DATE-TIME does not move forward`);
  }
  return problems;
}
