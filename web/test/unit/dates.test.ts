// When an event is said to start, and when it is said not to have started (#24 item 6): the
// countdown's words and the grace after which a scheduled event without a stream did not start.
import { didNotStart, START_GRACE_MS } from "@stream-platform/shared/api";
import { describe, expect, it } from "vitest";
import { countdown } from "../../src/format.ts";

const startsAt = "2030-01-01T18:00:00.000Z";
const start = Date.parse(startsAt);

describe("start times on screen", () => {
  it("counts down, then says starting soon, never a bare 'starting'", () => {
    expect(countdown(startsAt, start - 90 * 60_000)).toBe("in 1 h 30 min");
    expect(countdown(startsAt, start - 45_000)).toBe("in 45 s");
    expect(countdown(startsAt, start)).toBe("starting soon");
    expect(countdown(startsAt, start + 10 * 60_000)).toBe("starting soon");
  });

  it("a scheduled event did not start once the grace after its time has passed", () => {
    const scheduled = { status: "scheduled" as const, startsAt };
    expect(didNotStart(scheduled, start + START_GRACE_MS)).toBe(false);
    expect(didNotStart(scheduled, start + START_GRACE_MS + 1)).toBe(true);
    expect(
      didNotStart({ ...scheduled, startsAt: new Date(startsAt) }, start + 2 * START_GRACE_MS),
    ).toBe(true);
    // Only a scheduled one: a live, ended or cancelled event is what it is.
    for (const status of ["live", "ended", "cancelled"] as const)
      expect(didNotStart({ status, startsAt }, start + 2 * START_GRACE_MS)).toBe(false);
  });
});
