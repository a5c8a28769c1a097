// Small shared pieces: a status badge (and whether an event did not start), a live countdown, a
// live viewer count, loading and errors.
import { didNotStart, START_GRACE_MS } from "@stream-platform/shared/api";
import { useEffect, useState } from "preact/hooks";
import { ApiError, type EventFigures, type EventStatus, request, type VideoEvent } from "../api.ts";
import { countdown, plural, when } from "../format.ts";
import { TraceLink } from "./trace-link.tsx";

/**
 * Whether a scheduled event's time passed without a stream (beyond the grace: see
 * START_GRACE_MS); turns true by itself on an open page when the grace runs out.
 */
export function useDidNotStart(event?: Pick<VideoEvent, "status" | "startsAt">): boolean {
  const [now, setNow] = useState(Date.now());
  const missed = event ? didNotStart(event, now) : false;
  const left = event ? new Date(event.startsAt).getTime() + START_GRACE_MS - now : 0;
  useEffect(() => {
    if (event?.status !== "scheduled" || missed) return;
    // setTimeout's longest wait is ~24.8 days: a later end of grace is looked at again then.
    const timer = setTimeout(() => setNow(Date.now()), Math.min(left + 1, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [event?.status, event?.startsAt, missed, now]);
  return missed;
}

/**
 * `recorded`: an ended event's recording is ready ("Ended" until then). `missed`: a scheduled
 * event whose time passed without a stream (useDidNotStart).
 */
export function StatusBadge({
  status,
  recorded = true,
  missed = false,
}: {
  status: EventStatus;
  recorded?: boolean;
  missed?: boolean;
}) {
  if (status === "scheduled" && missed) return <span class="badge badge-missed">Didn't start</span>;
  const ended = recorded ? "Recording" : "Ended";
  const label = { live: "LIVE", scheduled: "Upcoming", ended, cancelled: "Cancelled" };
  return <span class={`badge badge-${status}`}>{label[status]}</span>;
}

/** What a scheduled event that did not start says instead of a countdown. */
export const DidNotStartNote = ({ startsAt }: { startsAt: string }) => (
  <span data-testid="did-not-start">
    Didn't start — was planned for <time dateTime={startsAt}>{when(startsAt)}</time>
  </span>
);

export function Countdown({ to }: { to: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <time dateTime={to}>{countdown(to, now)}</time>;
}

/** The live figures of an event, polled (the API caches them for 2 s). */
export function useFigures(eventId: string, everyMs = 5000): EventFigures | undefined {
  const [figures, setFigures] = useState<EventFigures>();
  useEffect(() => {
    let stopped = false;
    const load = () =>
      request<EventFigures>(`/api/analytics/events/${encodeURIComponent(eventId)}`)
        .then((f) => !stopped && setFigures(f))
        .catch(() => undefined);
    load();
    const timer = setInterval(load, everyMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [eventId, everyMs]);
  return figures;
}

export function ViewerCount({ eventId }: { eventId: string }) {
  const figures = useFigures(eventId);
  if (!figures) return null;
  return (
    <span class="viewers" data-testid="viewer-count" aria-live="polite">
      {plural(figures.concurrent, "viewer")}
    </span>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status" aria-busy="true">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  const message =
    error instanceof ApiError
      ? `${error.title}${error.detail ? `: ${error.detail}` : ""}`
      : "Something went wrong.";
  return (
    <p class="error" role="alert">
      {message}
      <TraceLink error={error} />
    </p>
  );
}

/** Loads on mount and whenever `key` changes: { data, error, loading, reload }. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, key: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (data) => setState({ data, loading: false }),
      (error: unknown) => {
        if ((error as Error).name !== "AbortError") setState({ error, loading: false });
      },
    );
    return () => controller.abort();
  }, [...key, version]);
  return { ...state, reload: () => setVersion((v) => v + 1) };
}
