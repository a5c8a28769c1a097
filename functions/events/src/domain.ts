// The life of a video event, as a pure state machine: given an event's state and a command (an
// owner's edit or cancellation, a stream starting, ending or lost, a recording ready), `decide` says
// what changes and which CloudEvent announces it, or that nothing does; a rule the command
// breaks is a RuleBroken. No store, no clock, no HTTP: commands.ts persists what it decides,
// http.ts turns a broken rule into a status. Every rule is tested with values (test/unit/).
import type { EventType } from "@stream-platform/shared";
import { START_GRACE_MS } from "@stream-platform/shared/api";
import type { PatchEvent, Status } from "./schemas.ts";

/** Which status may follow which: scheduled → live → ended, or scheduled → cancelled. */
export const TRANSITIONS: Record<Status, readonly Status[]> = {
  scheduled: ["live", "cancelled"],
  live: ["ended"],
  ended: [],
  cancelled: [],
};

/** The CloudEvents a change of an event announces itself with. */
export type LifecycleType = Exclude<
  Extract<EventType, `streamplatform.event.${string}`>,
  "streamplatform.event.reminder"
>;

/** What the rules read and change of an event. */
export interface EventState {
  status: Status;
  title: string;
  description: string;
  tags: string[];
  category?: string;
  startsAt: Date;
  /** When its stream started (it went live). */
  startedAt?: Date;
  endsAt?: Date;
  vodPath?: string;
  /** Its poster, as stream-server named it (the live frame, then the recording's; null: none). */
  posterPath?: string | null;
  /** Set when event.reminder was queued; cleared when the event is moved to another time. */
  reminderSentAt?: Date | null;
  /** Ids of the stream CloudEvents already applied (idempotency on redelivery). */
  applied: string[];
  /** When its stream was last heard of (stream.started, then every stream.alive): see streamLost. */
  lastAliveAt?: Date | null;
  /** When it last changed: the last heard of a live event that never had a stream.alive. */
  updatedAt?: Date;
}

export type Command =
  /** `at`: when the owner asked (a new start time must not be before it). */
  | { kind: "edit"; patch: PatchEvent; at: Date }
  | { kind: "cancel" }
  | { kind: "stream.started"; id: string; startedAt: Date }
  /** The live stream's poster is there (stream-server's stream.poster). */
  | { kind: "stream.poster"; id: string; posterPath: string }
  /** The owner's own poster for the event before it starts (stream-server's poster.uploaded). */
  | { kind: "poster.uploaded"; id: string; posterPath: string }
  | { kind: "stream.ended"; id: string; endedAt: Date }
  /** The events function's own check at `at` (every minute): the stream went unheard. */
  | { kind: "stream.lost"; at: Date }
  | { kind: "recording.ready"; id: string; vodPath: string; at: Date; posterPath?: string };

export interface Change<S extends EventState = EventState> {
  /** The fields that change (what a store writes). */
  set: Partial<EventState>;
  /** The state after the change. */
  state: S;
  /** The CloudEvent that announces it. */
  emits: LifecycleType;
  /** The stream CloudEvent it applies, recorded with the change. */
  applied?: string;
  /** Why it ended, when the announcement says (event.ended's `reason`). */
  reason?: "lost";
}

/** A command the event's rules refuse; `field` names the input at fault, if one is. */
export class RuleBroken extends Error {
  constructor(
    readonly rule: "transition" | "final" | "times",
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const isFinal = (status: Status) => status === "ended" || status === "cancelled";

/**
 * How far before now a new start time may be: the owner's clock (the form's "now") and ours
 * differ a little, and a request takes its time.
 */
export const PAST_TOLERANCE_MS = 60_000;

/** An event is scheduled for now or later, never for a time already gone. */
function notInThePast(startsAt: Date, now: Date): void {
  if (startsAt.getTime() < now.getTime() - PAST_TOLERANCE_MS)
    throw new RuleBroken(
      "times",
      "is in the past: an event can only be scheduled for a time that has not passed yet",
      "startsAt",
    );
}

function change<S extends EventState>(
  state: S,
  set: Partial<EventState>,
  emits: LifecycleType,
  applied?: string,
): Change<S> {
  return {
    set,
    state: { ...state, ...set, ...(applied && { applied: [...state.applied, applied] }) },
    emits,
    ...(applied && { applied }),
  };
}

/** What `command` does to an event in `state`: a change, or null when there is nothing to do. */
export function decide<S extends EventState>(state: S, command: Command): Change<S> | null {
  switch (command.kind) {
    case "edit":
      return edit(state, command.patch, command.at);
    case "cancel":
      // Cancelling twice is fine; cancelling what already ended is not.
      return state.status === "cancelled" ? null : edit(state, { status: "cancelled" });
    case "stream.started":
      if (state.applied.includes(command.id) || state.status !== "scheduled") return null;
      return change(
        state,
        { status: "live", startedAt: command.startedAt },
        "streamplatform.event.live",
        command.id,
      );
    case "poster.uploaded":
      // Before the stream only: live, its frames are the poster; then the recording's.
      if (state.applied.includes(command.id) || state.status !== "scheduled") return null;
      return change(
        state,
        { posterPath: command.posterPath },
        "streamplatform.event.updated",
        command.id,
      );
    case "stream.poster":
      if (state.applied.includes(command.id) || state.status !== "live") return null;
      return change(
        state,
        { posterPath: command.posterPath },
        "streamplatform.event.updated",
        command.id,
      );
    case "stream.ended":
      if (state.applied.includes(command.id) || state.status !== "live") return null;
      return change(
        state,
        { status: "ended", endsAt: command.endedAt },
        "streamplatform.event.ended",
        command.id,
      );
    case "stream.lost": {
      if (!streamLost(state, command.at)) return null;
      // It ended some time after it was last heard of: the best guess of when (as stream.ended's
      // own time, it may be before the scheduled start, for a stream that began early).
      const endsAt = lastHeard(state) as Date;
      return {
        ...change(state, { status: "ended", endsAt }, "streamplatform.event.ended"),
        reason: "lost",
      };
    }
    case "recording.ready":
      if (state.applied.includes(command.id)) return null;
      // Live until now (the end went missing): the recording ends it.
      if (state.status === "live")
        return change(
          state,
          {
            status: "ended",
            vodPath: command.vodPath,
            posterPath: command.posterPath ?? null,
            endsAt: command.at,
          },
          "streamplatform.event.ended",
          command.id,
        );
      if (state.status === "ended")
        return change(
          state,
          { vodPath: command.vodPath, posterPath: command.posterPath ?? null },
          "streamplatform.event.updated",
          command.id,
        );
      return null;
  }
}

/** An owner's edit at `at`: fields, and a status change if the transition is allowed. */
function edit<S extends EventState>(state: S, patch: PatchEvent, at?: Date): Change<S> {
  if (patch.status && !TRANSITIONS[state.status].includes(patch.status)) {
    throw new RuleBroken(
      "transition",
      `an event that is ${state.status} cannot become ${patch.status}`,
      "status",
    );
  }
  const editsFields = Object.keys(patch).some((key) => key !== "status");
  if (editsFields && isFinal(state.status))
    throw new RuleBroken("final", `the event is ${state.status}: it can no longer change`);
  // The start time sent again unchanged (a form sends every field) is no change at all, not even
  // for an event that is live, or whose time passed without a stream.
  const moved =
    patch.startsAt !== undefined && new Date(patch.startsAt).getTime() !== state.startsAt.getTime();
  if (moved && state.status === "live")
    throw new RuleBroken(
      "times",
      "cannot change: the event is live, so it has started already",
      "startsAt",
    );
  if (moved && at) notInThePast(new Date(patch.startsAt as string), at);
  const set: Partial<EventState> = {
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.tags !== undefined && { tags: patch.tags }),
    ...(patch.category !== undefined && { category: patch.category }),
    // A new time deserves a new reminder.
    ...(moved && {
      startsAt: new Date(patch.startsAt as string),
      reminderSentAt: null,
    }),
    ...(patch.endsAt !== undefined && { endsAt: new Date(patch.endsAt) }),
    ...(patch.status !== undefined && { status: patch.status }),
    // Put live by its owner: it started now.
    ...(patch.status === "live" && at && { startedAt: at }),
  };
  const startsAt = set.startsAt ?? state.startsAt;
  const endsAt = set.endsAt ?? state.endsAt;
  if (endsAt && endsAt <= startsAt)
    throw new RuleBroken("times", "must be after startsAt", "endsAt");
  const emits: LifecycleType =
    patch.status === "cancelled"
      ? "streamplatform.event.cancelled"
      : patch.status === "live"
        ? "streamplatform.event.live"
        : patch.status === "ended"
          ? "streamplatform.event.ended"
          : "streamplatform.event.updated";
  return change(state, set, emits);
}

type NewFields = Omit<EventState, "status" | "applied">;

/** A newly scheduled event (asked for at `now`), and what announces it. */
export function schedule<F extends NewFields>(fields: F, now: Date) {
  notInThePast(fields.startsAt, now);
  return {
    state: { ...fields, status: "scheduled" as Status, applied: [] as string[] },
    emits: ["streamplatform.event.created"] as LifecycleType[],
  };
}

/**
 * An event for a stream nobody scheduled: live from the start, with the stream CloudEvent that
 * made it recorded as applied.
 */
export function startUnscheduled<F extends Omit<NewFields, "title" | "description" | "tags">>(
  fields: F,
  streamEventId: string,
) {
  return {
    state: {
      ...fields,
      title: "Live now",
      description: "",
      tags: [] as string[],
      startedAt: fields.startsAt,
      status: "live" as Status,
      applied: [streamEventId],
    },
    emits: ["streamplatform.event.created", "streamplatform.event.live"] as LifecycleType[],
  };
}

/**
 * Which event a stream on a channel belongs to: the live one, else the scheduled one nearest to
 * `now` within an hour (the candidates a store found), else none. An hour late is START_GRACE_MS:
 * an event no stream can start any more is one that did not start.
 */
export function currentEvent<S extends EventState & { startsAt: Date }>(
  candidates: S[],
  now: Date,
): S | null {
  const live = candidates.find((doc) => doc.status === "live");
  if (live) return live;
  const hour = 60 * 60 * 1000;
  const distance = (doc: S) => Math.abs(doc.startsAt.getTime() - now.getTime());
  const late = (doc: S) => now.getTime() - doc.startsAt.getTime();
  return (
    candidates
      .filter(
        (doc) => doc.status === "scheduled" && distance(doc) <= hour && late(doc) <= START_GRACE_MS,
      )
      .sort((a, b) => distance(a) - distance(b))[0] ?? null
  );
}

/**
 * How long a live event's stream may go unheard before it counts as lost (stream-server gone
 * without stream.ended: SIGKILLed, its machine lost): four of its 30 s stream.alive missed, so a
 * late or lost signal or two (a Kafka hiccup, a consumer's restart) never ends a stream that is on.
 */
export const LOST_AFTER_MS = 2 * 60_000;

/** When a live event's stream was last heard of; an event live since before any stream.alive: its last change. */
export function lastHeard(state: EventState): Date | undefined {
  return state.lastAliveAt ?? state.updatedAt;
}

/** Whether a live event's stream is lost at `now`: unheard of for longer than LOST_AFTER_MS. */
export function streamLost(state: EventState, now: Date): boolean {
  const heard = lastHeard(state);
  return (
    state.status === "live" &&
    heard !== undefined &&
    now.getTime() - heard.getTime() > LOST_AFTER_MS
  );
}

/** Whether an event is due its reminder `minutesBefore` its start. */
export function reminderDue(state: EventState, minutesBefore: number, now: Date): boolean {
  return (
    state.status === "scheduled" &&
    !state.reminderSentAt &&
    state.startsAt > now &&
    state.startsAt.getTime() <= now.getTime() + minutesBefore * 60_000
  );
}
