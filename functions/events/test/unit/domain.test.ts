// The events state machine, called with values (no server): every transition of TRANSITIONS,
// every command in every status, the patch rules and what each change announces.
import { describe, expect, it } from "vitest";
import {
  type Command,
  currentEvent,
  decide,
  type EventState,
  LOST_AFTER_MS,
  RuleBroken,
  reminderDue,
  schedule,
  startUnscheduled,
  streamLost,
  TRANSITIONS,
} from "../../src/domain.ts";
import { STATUSES, type Status } from "../../src/schemas.ts";

const startsAt = new Date("2030-01-01T18:00:00Z");
/** When the owners in these tests ask: a month before the events start. */
const asked = new Date("2029-12-01T18:00:00Z");

function event(status: Status, extra: Partial<EventState> = {}): EventState {
  return {
    status,
    title: "Launch",
    description: "",
    tags: [],
    startsAt,
    applied: [],
    ...extra,
  };
}

function refused(state: EventState, command: Command): RuleBroken {
  try {
    decide(state, command);
  } catch (error) {
    if (error instanceof RuleBroken) return error;
    throw error;
  }
  throw new Error(`${command.kind} was not refused`);
}

describe("status transitions (an owner's PATCH status)", () => {
  const announced: Record<string, string> = {
    live: "streamplatform.event.live",
    ended: "streamplatform.event.ended",
    cancelled: "streamplatform.event.cancelled",
  };
  for (const from of STATUSES) {
    for (const to of ["live", "ended", "cancelled"] as const) {
      const allowed = TRANSITIONS[from].includes(to);
      it(`${from} → ${to} is ${allowed ? "allowed" : "refused"}`, () => {
        const command: Command = { kind: "edit", at: asked, patch: { status: to } };
        if (allowed) {
          const change = decide(event(from), command);
          expect(change?.state.status).toBe(to);
          // Put live by its owner, it started when they asked.
          expect(change?.set).toEqual({ status: to, ...(to === "live" && { startedAt: asked }) });
          expect(change?.emits).toBe(announced[to]);
        } else {
          const error = refused(event(from), command);
          expect(error.rule).toBe("transition");
          expect(error.field).toBe("status");
          expect(error.message).toBe(`an event that is ${from} cannot become ${to}`);
        }
      });
    }
  }

  it("has exactly the documented edges", () => {
    expect(TRANSITIONS).toEqual({
      scheduled: ["live", "cancelled"],
      live: ["ended"],
      ended: [],
      cancelled: [],
    });
  });
});

describe("edits", () => {
  it("changes fields and announces event.updated, keeping the rest", () => {
    const change = decide(event("scheduled"), {
      kind: "edit",
      at: asked,
      patch: { title: "New title", tags: ["maths"] },
    });
    expect(change?.set).toEqual({ title: "New title", tags: ["maths"] });
    expect(change?.state).toMatchObject({ title: "New title", tags: ["maths"], startsAt });
    expect(change?.emits).toBe("streamplatform.event.updated");
  });

  it("a new start time clears the reminder, so the new time gets one", () => {
    const change = decide(event("scheduled", { reminderSentAt: new Date() }), {
      kind: "edit",
      at: asked,
      patch: { startsAt: "2030-01-02T18:00:00Z" },
    });
    expect(change?.set).toEqual({
      startsAt: new Date("2030-01-02T18:00:00Z"),
      reminderSentAt: null,
    });
  });

  it("refuses an end before the start, also against the stored start", () => {
    expect(
      refused(event("scheduled"), {
        kind: "edit",
        at: asked,
        patch: { endsAt: "2030-01-01T17:00:00Z" },
      }),
    ).toMatchObject({ rule: "times", field: "endsAt", message: "must be after startsAt" });
    expect(
      refused(event("scheduled", { endsAt: new Date("2030-01-01T19:00:00Z") }), {
        kind: "edit",
        at: asked,
        patch: { startsAt: "2030-01-01T20:00:00Z" },
      }).rule,
    ).toBe("times");
  });

  for (const status of ["ended", "cancelled"] as const) {
    it(`refuses field edits of an event that is ${status}`, () => {
      const error = refused(event(status), {
        kind: "edit",
        at: asked,
        patch: { title: "Too late" },
      });
      expect(error.rule).toBe("final");
      expect(error.field).toBeUndefined();
    });
  }

  it("lets a live event's fields change", () => {
    expect(
      decide(event("live"), { kind: "edit", at: asked, patch: { title: "Still on" } })?.emits,
    ).toBe("streamplatform.event.updated");
  });
  it("lets a live event be renamed, described and tagged, its start sent unchanged", () => {
    const live = event("live");
    const patch = {
      title: "Maths live",
      description: "Proofs",
      tags: ["maths"],
      startsAt: live.startsAt.toISOString(),
    };
    expect(decide(live, { kind: "edit", at: asked, patch })).toMatchObject({
      set: { title: "Maths live", description: "Proofs", tags: ["maths"] },
      emits: "streamplatform.event.updated",
    });
  });
});

describe("start times in the past", () => {
  const moveTo = (newStart: Date): Command => ({
    kind: "edit",
    at: asked,
    patch: { startsAt: newStart.toISOString() },
  });
  const minutes = (n: number) => new Date(asked.getTime() + n * 60_000);

  it("refuses to schedule a new event in the past, beyond a minute's clock skew", () => {
    const fields = { title: "T", description: "", tags: [] as string[] };
    expect(() => schedule({ ...fields, startsAt: minutes(-2) }, asked)).toThrow(
      expect.objectContaining({ rule: "times", field: "startsAt" }),
    );
    expect(schedule({ ...fields, startsAt: minutes(-0.5) }, asked).state.status).toBe("scheduled");
  });

  it("refuses to move an event into the past, and lets it move back to the future", () => {
    const passed = event("scheduled", { startsAt: minutes(-120) });
    expect(refused(passed, moveTo(minutes(-90)))).toMatchObject({
      rule: "times",
      field: "startsAt",
      message: expect.stringMatching(/in the past/),
    });
    expect(decide(passed, moveTo(minutes(60)))?.set.startsAt).toEqual(minutes(60));
  });

  it("takes the stored start time sent again as no change, even once it has passed", () => {
    const passed = event("scheduled", { startsAt: minutes(-120), reminderSentAt: minutes(-135) });
    const change = decide(passed, {
      kind: "edit",
      at: asked,
      patch: { title: "Renamed", startsAt: minutes(-120).toISOString() },
    });
    expect(change?.set).toEqual({ title: "Renamed" });
  });

  it("refuses to move a live event's start: it has started", () => {
    const live = event("live", { startsAt: minutes(-10) });
    expect(refused(live, moveTo(minutes(60)))).toMatchObject({
      rule: "times",
      field: "startsAt",
    });
  });
});

describe("cancel (DELETE)", () => {
  it("cancels a scheduled event", () => {
    const change = decide(event("scheduled"), { kind: "cancel" });
    expect(change?.state.status).toBe("cancelled");
    expect(change?.emits).toBe("streamplatform.event.cancelled");
  });
  it("is a no-op on a cancelled event", () => {
    expect(decide(event("cancelled"), { kind: "cancel" })).toBeNull();
  });
  for (const status of ["live", "ended"] as const)
    it(`is refused for an event that is ${status}`, () => {
      expect(refused(event(status), { kind: "cancel" }).rule).toBe("transition");
    });
});

describe("the stream's commands", () => {
  const startedAt = new Date("2030-01-01T18:03:00Z");
  const started: Command = { kind: "stream.started", id: "ce-1", startedAt };
  const endedAt = new Date("2030-01-01T19:00:00Z");
  const ended: Command = { kind: "stream.ended", id: "ce-2", endedAt };
  const at = new Date("2030-01-01T19:00:05Z");
  const recording: Command = { kind: "recording.ready", id: "ce-3", vodPath: "/vod/x", at };

  it("stream.started makes a scheduled event live when it really started, recording the CloudEvent", () => {
    const change = decide(event("scheduled"), started);
    expect(change).toMatchObject({
      set: { status: "live", startedAt },
      emits: "streamplatform.event.live",
      applied: "ce-1",
    });
    expect(change?.state.applied).toEqual(["ce-1"]);
  });
  for (const status of ["live", "ended", "cancelled"] as const)
    it(`stream.started changes nothing for an event that is ${status}`, () => {
      expect(decide(event(status), started)).toBeNull();
    });

  it("stream.ended ends a live event at the stream's end", () => {
    expect(decide(event("live"), ended)).toMatchObject({
      set: { status: "ended", endsAt: endedAt },
      emits: "streamplatform.event.ended",
      applied: "ce-2",
    });
  });
  for (const status of ["scheduled", "ended", "cancelled"] as const)
    it(`stream.ended changes nothing for an event that is ${status}`, () => {
      expect(decide(event(status), ended)).toBeNull();
    });

  it("recording.ready ends a live event with its recording", () => {
    expect(decide(event("live"), recording)).toMatchObject({
      set: { status: "ended", vodPath: "/vod/x", endsAt: at },
      emits: "streamplatform.event.ended",
    });
  });
  it("recording.ready adds the recording to an ended event", () => {
    expect(decide(event("ended"), recording)).toMatchObject({
      set: { vodPath: "/vod/x" },
      emits: "streamplatform.event.updated",
    });
  });
  for (const status of ["scheduled", "cancelled"] as const)
    it(`recording.ready changes nothing for an event that is ${status}`, () => {
      expect(decide(event(status), recording)).toBeNull();
    });

  it("keeps the poster stream-server names: the live frame, then the recording's, or none", () => {
    const poster: Command = { kind: "stream.poster", id: "ce-4", posterPath: "/hls/e/poster.jpg" };
    const live = decide(event("live"), poster);
    expect(live).toMatchObject({
      set: { posterPath: "/hls/e/poster.jpg" },
      emits: "streamplatform.event.updated",
      applied: "ce-4",
    });
    expect(decide(live?.state ?? event("live"), poster)).toBeNull();
    for (const status of ["scheduled", "ended", "cancelled"] as const)
      expect(decide(event(status), poster)).toBeNull();
    const kept = decide(live?.state ?? event("live"), {
      ...recording,
      posterPath: "/hls/e/poster-vod.jpg",
    });
    expect(kept?.set.posterPath).toBe("/hls/e/poster-vod.jpg");
    // A recording.ready without one (its poster failed): the live frame is no longer offered.
    expect(decide(event("ended", { posterPath: "/hls/e/poster.jpg" }), recording)?.set).toEqual({
      vodPath: "/vod/x",
      posterPath: null,
    });
  });
  it("takes the owner's uploaded poster before the stream only, once", () => {
    const uploaded: Command = {
      kind: "poster.uploaded",
      id: "ce-5",
      posterPath: "/hls/posters/evt_x-ab.jpg",
    };
    const taken = decide(event("scheduled"), uploaded);
    expect(taken).toMatchObject({
      set: { posterPath: "/hls/posters/evt_x-ab.jpg" },
      emits: "streamplatform.event.updated",
      applied: "ce-5",
    });
    expect(decide(taken?.state ?? event("scheduled"), uploaded)).toBeNull();
    for (const status of ["live", "ended", "cancelled"] as const)
      expect(decide(event(status), uploaded)).toBeNull();
    // Live, the stream's frames take over.
    const started = decide(taken?.state ?? event("scheduled"), {
      kind: "stream.started",
      id: "ce-6",
      startedAt: new Date(startsAt),
    });
    const framed = decide(started?.state ?? event("live"), {
      kind: "stream.poster",
      id: "ce-7",
      posterPath: "/hls/e/poster.jpg",
    });
    expect(framed?.set.posterPath).toBe("/hls/e/poster.jpg");
  });

  it("a redelivered stream CloudEvent changes nothing", () => {
    expect(decide(event("scheduled", { applied: ["ce-1"] }), started)).toBeNull();
    expect(decide(event("live", { applied: ["ce-2"] }), ended)).toBeNull();
    expect(decide(event("ended", { applied: ["ce-3"] }), recording)).toBeNull();
  });
});

describe("new events", () => {
  it("a scheduled event is announced by event.created", () => {
    const { state, emits } = schedule({ title: "T", description: "", tags: [], startsAt }, asked);
    expect(state.status).toBe("scheduled");
    expect(state.applied).toEqual([]);
    expect(emits).toEqual(["streamplatform.event.created"]);
  });
  it("an unscheduled stream starts a live event, announced as created then live", () => {
    const { state, emits } = startUnscheduled({ startsAt }, "ce-9");
    expect(state).toMatchObject({
      status: "live",
      title: "Live now",
      startedAt: startsAt,
      applied: ["ce-9"],
    });
    expect(emits).toEqual(["streamplatform.event.created", "streamplatform.event.live"]);
  });
});

describe("which event a stream belongs to", () => {
  const now = new Date("2030-01-01T18:00:00Z");
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
  it("the live one first", () => {
    const live = event("live", { startsAt: at(-300) });
    expect(currentEvent([event("scheduled", { startsAt: at(1) }), live], now)).toBe(live);
  });
  it("else the scheduled one nearest to now within an hour", () => {
    const near = event("scheduled", { startsAt: at(-10) });
    const far = event("scheduled", { startsAt: at(30) });
    const tooFar = event("scheduled", { startsAt: at(-61) });
    expect(currentEvent([far, tooFar, near], now)).toBe(near);
    expect(currentEvent([tooFar], now)).toBeNull();
  });
});

describe("reminders", () => {
  const now = new Date("2030-01-01T17:50:00Z");
  it("are due for a scheduled event starting within the window, once", () => {
    expect(reminderDue(event("scheduled"), 15, now)).toBe(true);
    expect(reminderDue(event("scheduled"), 5, now)).toBe(false);
    expect(reminderDue(event("scheduled", { reminderSentAt: now }), 15, now)).toBe(false);
    expect(reminderDue(event("live"), 15, now)).toBe(false);
    expect(reminderDue(event("scheduled"), 15, new Date("2030-01-01T18:00:01Z"))).toBe(false);
  });
});

describe("a live event whose stream went unheard (stream-server gone without stream.ended)", () => {
  const heard = new Date("2030-01-01T18:30:00Z");
  const after = (ms: number) => new Date(heard.getTime() + ms);
  const check = (ms: number): Command => ({ kind: "stream.lost", at: after(ms) });

  it("is lost once LOST_AFTER_MS (four missed 30 s signs of life) passed since the last", () => {
    expect(LOST_AFTER_MS).toBe(120_000);
    const live = event("live", { lastAliveAt: heard });
    expect(streamLost(live, after(LOST_AFTER_MS))).toBe(false);
    expect(streamLost(live, after(LOST_AFTER_MS + 1))).toBe(true);
  });

  it("counts from its last change when no sign of life came (live since before them)", () => {
    const live = event("live", { lastAliveAt: null, updatedAt: heard });
    expect(streamLost(live, after(LOST_AFTER_MS + 1))).toBe(true);
    expect(streamLost({ ...live, lastAliveAt: after(60_000) }, after(LOST_AFTER_MS + 1))).toBe(
      false,
    );
  });

  it("ends as stream.ended would, announced with reason lost, when it was last heard of", () => {
    const change = decide(event("live", { lastAliveAt: heard }), check(LOST_AFTER_MS + 1));
    expect(change).toMatchObject({
      set: { status: "ended", endsAt: heard },
      emits: "streamplatform.event.ended",
      reason: "lost",
    });
    expect(change?.applied).toBeUndefined();
  });

  it("changes nothing while the stream is heard of, nor for an event that is not live", () => {
    expect(decide(event("live", { lastAliveAt: heard }), check(LOST_AFTER_MS))).toBeNull();
    for (const status of ["scheduled", "ended", "cancelled"] as const)
      expect(
        decide(event(status, { lastAliveAt: heard, updatedAt: heard }), check(10 * LOST_AFTER_MS)),
      ).toBeNull();
  });
});
