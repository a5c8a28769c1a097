// A Low-Latency HLS media playlist (RFC 8216bis), kept in memory while a rendition is live:
// fragments come in as parts, a segment closes at the first part that starts with a keyframe
// once it is long enough, and the playlist is rendered with its parts, a preload hint for the
// next one, and the server control that allows blocking reloads and delta updates. Pure: the
// files and the waiting requests are ll-hls-writer's.

export interface Part {
  duration: number;
  independent: boolean;
  uri: string;
}

export interface Segment {
  msn: number;
  /** Seconds: the sum of its parts'. */
  duration: number;
  uri: string;
  /** Wall-clock time of its first frame (ms since the epoch). */
  programDateTime: number;
  /** Listed while the segment is recent; dropped (and their files deleted) later. */
  parts: Part[];
  /** The first segment of a new encoder run: a discontinuity, and its own init segment. */
  discontinuity: boolean;
  map: string;
}

export interface LivePlaylistOptions {
  /** EXT-X-TARGETDURATION: no segment is longer, rounded (seconds, whole). */
  targetDuration: number;
  /** A segment closes at the first keyframe part once it is this long (seconds). */
  segmentSeconds: number;
  /** PART-TARGET: no part is longer (seconds). */
  partTarget: number;
  /** The segment's and its parts' file names. */
  segmentUri(msn: number): string;
  partUri(msn: number, part: number): string;
}

/** Where a blocking reload asks to be answered: a segment, or a part of it. */
export interface Position {
  msn: number;
  part?: number;
}

export class LivePlaylist {
  readonly segments: Segment[] = [];
  private open?: Segment;
  private map = "";
  private discontinuity = false;
  /** The text of the first `count` segments, which no longer changes (render). */
  private readonly frozen = { count: 0, text: "" };
  ended = false;

  constructor(private readonly options: LivePlaylistOptions) {}

  /** A new encoder run: its init segment, and a discontinuity before its first segment. */
  startRun(map: string): void {
    if (this.open) this.close();
    this.discontinuity = this.segments.length > 0;
    this.map = map;
  }

  /**
   * Where the next fragment goes, without adding it: its segment and part, and the open
   * segment it closes (when it can start a segment and the open one is long enough).
   */
  next(fragment: { independent: boolean }): {
    uri: string;
    msn: number;
    part: number;
    closes?: Segment;
  } {
    if (this.ended) throw new Error("the playlist has ended");
    if (!this.map) throw new Error("no init segment yet (startRun)");
    const { segmentSeconds, partTarget } = this.options;
    const open = this.open;
    if (open && !(fragment.independent && open.duration >= segmentSeconds - partTarget / 2))
      return {
        uri: this.options.partUri(open.msn, open.parts.length),
        msn: open.msn,
        part: open.parts.length,
      };
    const msn = this.nextMsn();
    return { uri: this.options.partUri(msn, 0), msn, part: 0, ...(open && { closes: open }) };
  }

  /**
   * Adds the next fragment as a part (where next() said), closing the open segment first if it
   * does. `programDateTime` is the fragment's first frame's wall-clock time.
   */
  add(
    fragment: { duration: number; independent: boolean },
    programDateTime: number,
  ): ReturnType<LivePlaylist["next"]> {
    const at = this.next(fragment);
    if (at.closes) this.close();
    if (!this.open) {
      this.open = {
        msn: at.msn,
        duration: 0,
        uri: this.options.segmentUri(at.msn),
        programDateTime,
        parts: [],
        discontinuity: this.discontinuity,
        map: this.map,
      };
      this.discontinuity = false;
    }
    this.open.parts.push({
      duration: fragment.duration,
      independent: fragment.independent,
      uri: at.uri,
    });
    this.open.duration += fragment.duration;
    return at;
  }

  /** The open segment: its parts so far, the segment file not complete. */
  get current(): Segment | undefined {
    return this.open;
  }

  /** Closes the open segment (at a keyframe part, or at the end). */
  private close(): Segment | undefined {
    const open = this.open;
    if (!open) return undefined;
    this.segments.push(open);
    this.open = undefined;
    return open;
  }

  /** The stream ended: the open segment closes and the playlist gets EXT-X-ENDLIST. */
  end(): Segment | undefined {
    const closed = this.close();
    this.ended = true;
    return closed;
  }

  private nextMsn(): number {
    return this.segments.length + (this.open ? 1 : 0);
  }

  /**
   * The part files no longer listed, to delete: those of segments older than `keepSeconds` from
   * the live edge (the playlist lists them for three target durations; a player that read them
   * there may still be fetching them a little later). Each is returned once.
   */
  dropParts(keepSeconds = 6 * this.options.targetDuration): string[] {
    const dropped: string[] = [];
    let age = this.open?.duration ?? 0;
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const segment = this.segments[i] as Segment;
      if (age > keepSeconds) {
        if (segment.parts.length === 0) break;
        dropped.push(...segment.parts.map((part) => part.uri));
        segment.parts = [];
      }
      age += segment.duration;
    }
    return dropped;
  }

  /**
   * Whether a blocking reload for `at` can be answered: the playlist has that part (or that
   * segment, complete), or has ended. A part beyond a complete segment's last is the next
   * segment's first.
   */
  has(at: Position): boolean {
    if (this.ended) return true;
    const complete = this.segments.length;
    if (at.msn < complete) {
      if (at.part === undefined) return true;
      if (at.part < (this.segments[at.msn] as Segment).parts.length) return true;
      // Beyond its last part (or its parts dropped): the next segment's first.
      return at.msn + 1 < complete || (this.open?.parts.length ?? 0) > 0;
    }
    if (at.msn === complete && at.part !== undefined)
      return at.part < (this.open?.parts.length ?? 0);
    return false;
  }

  /**
   * A request the playlist will not get to soon enough to hold (RFC 8216bis 6.2.5.2), answered
   * 400 at once: a segment more than one beyond the one being written, or a part further ahead
   * of the last than the Advance Part Limit (3 s of parts).
   */
  tooFar(at: Position): boolean {
    if (this.ended) return false;
    const writing = this.open?.msn ?? this.segments.length;
    if (at.msn > writing + 1) return true;
    if (at.part === undefined || at.msn < writing) return false;
    const limit = Math.ceil(3 / Math.min(1, this.options.partTarget));
    const written = at.msn === writing ? (this.open?.parts.length ?? 0) : 0;
    return at.part + 1 - written > limit;
  }

  /**
   * The playlist's text; `skip` (a player's _HLS_skip=YES) leaves out the segments older than
   * CAN-SKIP-UNTIL, as one EXT-X-SKIP (a delta update).
   */
  render(skip = false): string {
    const { targetDuration, partTarget } = this.options;
    const skipUntil = 6 * targetDuration;
    const head = [
      "#EXTM3U",
      "#EXT-X-VERSION:9",
      `#EXT-X-TARGETDURATION:${targetDuration}`,
      "#EXT-X-PLAYLIST-TYPE:EVENT",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=${skipUntil},PART-HOLD-BACK=${seconds(3 * partTarget)}`,
      `#EXT-X-PART-INF:PART-TARGET=${seconds(partTarget)}`,
      "#EXT-X-MEDIA-SEQUENCE:0",
    ];
    const all = this.open ? [...this.segments, this.open] : this.segments;
    // The parts are listed for the segments within three target durations of the live edge.
    const partsFrom = startOfLast(all, 3 * targetDuration);
    this.freeze(Math.min(partsFrom, this.segments.length));
    // Skipped: the complete segments that start more than CAN-SKIP-UNTIL before the live edge.
    const skipped = skip && !this.ended ? startOfLast(this.segments, skipUntil) : 0;
    let body: string;
    let from: number;
    if (skipped > 0) {
      body = `#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}\n`;
      from = skipped;
    } else {
      body = this.frozen.text;
      from = this.frozen.count;
    }
    const lines: string[] = [];
    let map = from > 0 && skipped === 0 ? this.segments[from - 1]?.map : undefined;
    for (let i = from; i < all.length; i++) {
      const segment = all[i] as Segment;
      lines.push(...segmentLines(segment, map, i >= partsFrom, segment !== this.open));
      map = segment.map;
    }
    if (this.ended) lines.push("#EXT-X-ENDLIST");
    else {
      const next = this.open
        ? this.options.partUri(this.open.msn, this.open.parts.length)
        : this.options.partUri(this.segments.length, 0);
      lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${next}"`);
    }
    return `${head.join("\n")}\n${body}${lines.join("\n")}\n`;
  }

  /**
   * Renders once, for good, the complete segments before `count`: their parts are no longer
   * listed, so their text never changes (a long event's playlist is rendered after every part).
   */
  private freeze(count: number): void {
    while (this.frozen.count < count) {
      const segment = this.segments[this.frozen.count] as Segment;
      const previous = this.segments[this.frozen.count - 1];
      this.frozen.text += `${segmentLines(segment, previous?.map, false, true).join("\n")}\n`;
      this.frozen.count += 1;
    }
  }
}

/**
 * A segment's lines: its discontinuity and init segment if new, its time, its parts if listed,
 * and, once complete, its duration and URI.
 */
function segmentLines(
  segment: Segment,
  previousMap: string | undefined,
  withParts: boolean,
  complete: boolean,
): string[] {
  const lines: string[] = [];
  if (segment.discontinuity) lines.push("#EXT-X-DISCONTINUITY");
  if (segment.map !== previousMap) lines.push(`#EXT-X-MAP:URI="${segment.map}"`);
  lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTime).toISOString()}`);
  if (withParts)
    for (const part of segment.parts)
      lines.push(
        `#EXT-X-PART:DURATION=${seconds(part.duration)},URI="${part.uri}"${part.independent ? ",INDEPENDENT=YES" : ""}`,
      );
  if (complete) lines.push(`#EXTINF:${seconds(segment.duration)},`, segment.uri);
  return lines;
}

/** A duration as playlists write it: milliseconds, no trailing zeros. */
const seconds = (value: number) => String(Math.round(value * 1000) / 1000);

/** The index of the first of `segments` whose start is within `span` seconds of their end. */
function startOfLast(segments: readonly Segment[], span: number): number {
  let age = 0;
  for (let i = segments.length - 1; i >= 0; i--) {
    age += (segments[i] as Segment).duration;
    if (age > span) return i + 1;
  }
  return 0;
}
