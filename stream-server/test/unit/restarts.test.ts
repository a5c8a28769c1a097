// The encoder's restart schedule: doubling waits, capped, and a ceiling on failures per minute.
import { describe, expect, it } from "vitest";
import { RESTART_POLICY, RestartBackoff } from "../../src/restarts.ts";

const clock = () => {
  let now = 5_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe("restarting a failing encoder", () => {
  it("waits 0.5 s, then twice as long each time, and gives up at the sixth failure in a minute", () => {
    const time = clock();
    const backoff = new RestartBackoff(RESTART_POLICY, time.now);
    const waits: (number | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      const wait = backoff.next();
      waits.push(wait);
      time.advance((wait ?? 0) + 1000); // the wait, then ffmpeg runs a second and fails again
    }
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, undefined]);
  });

  it("caps the wait", () => {
    const time = clock();
    const backoff = new RestartBackoff({ ...RESTART_POLICY, maxFailures: 10 }, time.now);
    const waits = Array.from({ length: 7 }, () => backoff.next());
    expect(waits.slice(-3)).toEqual([8000, 8000, 8000]);
  });

  it("forgets failures older than the window: a crash now and then is restarted at once", () => {
    const time = clock();
    const backoff = new RestartBackoff(RESTART_POLICY, time.now);
    for (let i = 0; i < 20; i++) {
      expect(backoff.next()).toBe(500);
      time.advance(RESTART_POLICY.windowMs + 1);
    }
    expect(backoff.failures).toBe(1);
  });
});
