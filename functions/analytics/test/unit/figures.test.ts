// An event's figures, called with values (no server): sums per batch and per minute, unique and
// concurrent viewers, the peak, minute counts that survive a restart, renditions, stream state.
import { createEvent } from "@stream-platform/shared";
import { describe, expect, it } from "vitest";
import {
  type Beat,
  EventFigures,
  minuteOf,
  renditionKey,
  type StreamChange,
  toBeat,
} from "../../src/figures.ts";
import { CONCURRENCY_WINDOW_MS, HEARTBEAT_INTERVAL_SECONDS } from "../../src/schemas.ts";

const owner = { channelId: "channel-1", ownerId: "owner-1" };
const t0 = Date.parse("2030-01-01T18:00:10Z");

function beat(viewerId: string, at: number, extra: Partial<Beat> = {}): Beat {
  return {
    id: `${viewerId}-${at}`,
    eventId: "evt_1",
    viewerId,
    sessionId: `s-${viewerId}`,
    at: new Date(at),
    played: 10,
    buffering: 0,
    ...extra,
  };
}

const fresh = () => new EventFigures(owner, null, t0);

describe("a batch's update", () => {
  it("adds watch time, buffering and beats, overall and per minute", () => {
    const update = fresh().record(
      [beat("a", t0, { buffering: 2 }), beat("b", t0, { played: 4 })],
      [],
      2,
      t0,
    );
    expect(update.$inc).toEqual({
      watchSeconds: 14,
      bufferingSeconds: 2,
      beats: 2,
      "minutes.2030-01-01T18:00.watchSeconds": 14,
      "minutes.2030-01-01T18:00.bufferingSeconds": 2,
      "minutes.2030-01-01T18:00.beats": 2,
      unique: 2,
    });
    expect(update.$set).toMatchObject({
      "minutes.2030-01-01T18:00.viewers": 2,
      channelId: "channel-1",
      ownerId: "owner-1",
      concurrent: 2,
      peak: 2,
      peakAt: new Date(t0),
    });
  });

  it("counts each viewer once per minute and in concurrency", () => {
    const figures = fresh();
    figures.record([beat("a", t0)], [], 1, t0);
    const update = figures.record([beat("a", t0 + 10_000)], [], 0, t0 + 10_000);
    expect(update.$set["minutes.2030-01-01T18:00.viewers"]).toBe(1);
    expect(update.$set.concurrent).toBe(1);
    expect(update.$inc.unique).toBeUndefined();
  });

  it("forgets viewers silent for the concurrency window; the peak stays", () => {
    const figures = fresh();
    figures.record([beat("a", t0), beat("b", t0)], [], 2, t0);
    const later = t0 + CONCURRENCY_WINDOW_MS + 1;
    const update = figures.record([beat("c", later)], [], 1, later);
    expect(update.$set.concurrent).toBe(1);
    expect(update.$set.peak).toBe(2);
    expect(update.$set.peakAt).toBeUndefined();
  });

  it("adds played time per rendition under a safe key", () => {
    const update = fresh().record([beat("a", t0, { rendition: "720p.$x" })], [], 1, t0);
    expect(update.$inc["renditions.720p__x"]).toBe(10);
    expect(renditionKey("")).toBe("unknown");
  });

  it("never lowers a minute's viewer count that was stored before a restart", () => {
    const minute = { viewers: 7, watchSeconds: 70, bufferingSeconds: 0, beats: 7 };
    const stored = { minutes: { "2030-01-01T18:00": minute }, peak: 7, concurrent: 7 };
    const figures = new EventFigures(owner, stored, t0);
    const update = figures.record([beat("a", t0)], [], 0, t0);
    expect(update.$set["minutes.2030-01-01T18:00.viewers"]).toBe(7);
    expect(update.$set.peak).toBe(7);
  });

  it("keeps a few minutes' viewer sets and only the counts of older ones", () => {
    const figures = fresh();
    for (let minute = 0; minute < 8; minute++)
      figures.record([beat("a", t0 + minute * 60_000)], [], 0, t0 + minute * 60_000);
    // Minute 0's set is gone, its count kept: a late beat there does not recount viewer "a".
    const update = figures.record([beat("b", t0)], [], 1, t0 + 8 * 60_000);
    expect(update.$set["minutes.2030-01-01T18:00.viewers"]).toBe(1);
  });

  it("marks the stream live and ended", () => {
    const started = createEvent({
      type: "streamplatform.stream.started",
      source: "/test",
      subject: "s",
      data: { streamId: "s", channelId: "c", eventId: "evt_1", startedAt: "2030-01-01T18:00:00Z" },
    }) as StreamChange;
    const ended = createEvent({
      type: "streamplatform.stream.ended",
      source: "/test",
      subject: "s",
      data: { streamId: "s", channelId: "c", eventId: "evt_1", endedAt: "2030-01-01T19:00:00Z" },
    }) as StreamChange;
    expect(fresh().record([], [started], 0, t0).$set).toMatchObject({
      live: true,
      streamStartedAt: new Date("2030-01-01T18:00:00Z"),
    });
    expect(fresh().record([], [ended], 0, t0).$set).toMatchObject({
      live: false,
      streamEndedAt: new Date("2030-01-01T19:00:00Z"),
    });
  });
});

describe("sweeps", () => {
  it("report concurrency only when it changed since it was written", () => {
    const figures = fresh();
    figures.record([beat("a", t0)], [], 1, t0);
    expect(figures.concurrencyChange(t0 + 1000)).toBeUndefined();
    expect(figures.concurrencyChange(t0 + CONCURRENCY_WINDOW_MS + 1)).toBe(0);
    figures.wrote(0);
    expect(figures.concurrencyChange(t0 + CONCURRENCY_WINDOW_MS + 2)).toBeUndefined();
  });
});

describe("heartbeats as beats", () => {
  const heartbeat = (time: string | undefined, playedSeconds?: number) => ({
    ...createEvent({
      type: "streamplatform.viewer.heartbeat",
      source: "/test",
      subject: "evt_1",
      data: {
        eventId: "evt_1",
        viewerId: "v",
        sessionId: "s",
        viewToken: "not checked here",
        position: 0,
        bufferingSeconds: 0,
        ...(playedSeconds !== undefined && { playedSeconds }),
      },
    }),
    ...(time !== undefined ? { time } : { time: undefined }),
  });

  it("take the beat's time, but never one from the future, nor from over ten minutes ago", () => {
    expect(toBeat(heartbeat("2030-01-01T18:00:00Z"), t0).at).toEqual(
      new Date("2030-01-01T18:00:00Z"),
    );
    expect(toBeat(heartbeat("2030-01-01T17:50:10Z"), t0).at).toEqual(
      new Date("2030-01-01T17:50:10Z"),
    );
    expect(toBeat(heartbeat("2031-01-01T00:00:00Z"), t0).at).toEqual(new Date(t0));
    expect(toBeat(heartbeat(undefined), t0).at).toEqual(new Date(t0));
    // Backdated: it would open a timeline minute long gone.
    expect(toBeat(heartbeat("2030-01-01T17:50:09Z"), t0).at).toEqual(new Date(t0));
    expect(toBeat(heartbeat("1999-01-01T00:00:00Z"), t0).at).toEqual(new Date(t0));
  });

  it("stand for one interval of playback when they say none", () => {
    expect(toBeat(heartbeat(undefined), t0).played).toBe(HEARTBEAT_INTERVAL_SECONDS);
    expect(toBeat(heartbeat(undefined, 3), t0).played).toBe(3);
  });

  it("are bucketed by minute", () => {
    expect(minuteOf(new Date("2030-01-01T18:00:59.999Z"))).toBe("2030-01-01T18:00");
  });
});
