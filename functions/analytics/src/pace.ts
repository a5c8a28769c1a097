// How much one player's beats may count: a player beats every 10 s, so a session gets at most
// 12 beats and 75 s of playback counted per minute (its beats' minutes): twice what a player
// sends, room for a beacon at leaving and a retry. Beyond, a beat is not counted (nor stored),
// and played seconds past the minute's allowance are not added. Without this, one valid view
// token could post a thousand beats a second claiming ten minutes of playback each.
//
// Decisions of a batch are provisional until it is stored (`commit`): a batch that fails is
// redelivered and must not find its own beats already counted against it.
import { BoundedMap } from "@stream-platform/shared";
import { type Beat, minuteOf } from "./figures.ts";

export const BEATS_PER_SESSION_MINUTE = 12;
export const PLAYED_PER_SESSION_MINUTE = 75;
/** Session-minutes remembered (least recently used forgotten): bounded memory. */
const REMEMBERED = 200_000;

interface Spent {
  beats: number;
  played: number;
}

export class Pace {
  private readonly spent = new BoundedMap<string, Spent>(REMEMBERED);
  private pending = new Map<string, Spent>();

  /** The beat as it may count (its played seconds cut to what is left), or undefined. */
  admit(beat: Beat): Beat | undefined {
    const key = `${beat.eventId}|${beat.sessionId}|${minuteOf(beat.at)}`;
    const so = this.pending.get(key) ?? this.spent.get(key) ?? { beats: 0, played: 0 };
    if (so.beats >= BEATS_PER_SESSION_MINUTE) return undefined;
    const played = Math.min(beat.played, PLAYED_PER_SESSION_MINUTE - so.played);
    this.pending.set(key, { beats: so.beats + 1, played: so.played + played });
    return played === beat.played ? beat : { ...beat, played };
  }

  /** The batch was stored: what it spent stays spent. */
  commit(): void {
    for (const [key, spent] of this.pending) this.spent.set(key, spent);
    this.pending = new Map();
  }

  /** The batch failed: its redelivery starts from what was spent before it. */
  rollback(): void {
    this.pending = new Map();
  }
}
