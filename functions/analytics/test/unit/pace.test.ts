// A session's pace, with values: what one player's beats may count per minute.
import { describe, expect, it } from "vitest";
import type { Beat } from "../../src/figures.ts";
import { BEATS_PER_SESSION_MINUTE, Pace, PLAYED_PER_SESSION_MINUTE } from "../../src/pace.ts";

const t0 = Date.parse("2030-01-01T18:00:00Z");
const beat = (n: number, at = t0, extra: Partial<Beat> = {}): Beat => ({
  id: `hb_${n}`,
  eventId: "evt_1",
  viewerId: "v-1",
  sessionId: "s-1",
  at: new Date(at),
  played: 10,
  buffering: 0,
  ...extra,
});

describe("a session's pace", () => {
  it("counts a player's beats whole: six a minute, ten seconds each", () => {
    const pace = new Pace();
    for (let n = 0; n < 6; n++)
      expect(pace.admit(beat(n, t0 + n * 10_000))).toEqual(beat(n, t0 + n * 10_000));
  });

  it("counts at most 12 beats and 75 s of playback a minute, whatever they claim", () => {
    const pace = new Pace();
    const admitted = Array.from({ length: 100 }, (_, n) =>
      pace.admit(beat(n, t0 + n * 100, { played: 600 })),
    ).filter((b) => b !== undefined);
    expect(admitted).toHaveLength(BEATS_PER_SESSION_MINUTE);
    expect(admitted.reduce((sum, b) => sum + b.played, 0)).toBe(PLAYED_PER_SESSION_MINUTE);
    // The next minute is a new allowance; another session has its own.
    expect(pace.admit(beat(200, t0 + 60_000))).toBeDefined();
    expect(pace.admit(beat(201, t0, { sessionId: "s-2" }))).toBeDefined();
  });

  it("keeps a failed batch's beats from counting against its redelivery", () => {
    const pace = new Pace();
    const batch = Array.from({ length: BEATS_PER_SESSION_MINUTE }, (_, n) => beat(n));
    for (const b of batch) expect(pace.admit(b)).toBeDefined();
    pace.rollback();
    for (const b of batch) expect(pace.admit(b)).toBeDefined();
    pace.commit();
    expect(pace.admit(beat(99))).toBeUndefined();
  });
});
