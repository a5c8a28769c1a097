// Viewing history on screen (#26 item 1): which entries home offers to continue (a recording
// stopped part of the way), and how a position reads.
import { describe, expect, it } from "vitest";
import { clock, type HistoryEntry, unfinished } from "../../src/history.ts";

const entry = (fields: Partial<HistoryEntry>): HistoryEntry => ({
  eventId: "evt_12345678",
  title: "Talk",
  status: "ended",
  channel: { id: "c", slug: "c", title: "C" },
  watchedSeconds: 60,
  position: 60,
  duration: 600,
  updatedAt: "2030-01-01T18:00:00.000Z",
  ...fields,
});

describe("viewing history on screen", () => {
  it("offers to continue a recording stopped part of the way, not one finished or live", () => {
    expect(unfinished(entry({}))).toBe(true);
    expect(unfinished(entry({ position: 0.5 }))).toBe(false); // barely started
    expect(unfinished(entry({ position: 569 }))).toBe(true);
    expect(unfinished(entry({ position: 571 }))).toBe(false); // the last 5 %
    expect(unfinished(entry({ position: 30, duration: 40 }))).toBe(false); // the last 10 s
    expect(unfinished(entry({ position: 29, duration: 40 }))).toBe(true);
    expect(unfinished(entry({ duration: undefined }))).toBe(false); // watched live last
    expect(unfinished(entry({ status: "live" }))).toBe(false);
  });

  it("reads a position as a clock", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(65.9)).toBe("1:05");
    expect(clock(3723)).toBe("1:02:03");
  });
});
