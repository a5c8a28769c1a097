// Small shared pieces: a status badge, a live countdown, a live viewer count, loading and errors.
import { useEffect, useState } from "preact/hooks";
import { ApiError, type EventFigures, type EventStatus, request } from "../api.ts";
import { countdown, plural } from "../format.ts";

/** `recorded`: an ended event's recording is ready ("Ended" until then). */
export function StatusBadge({
  status,
  recorded = true,
}: {
  status: EventStatus;
  recorded?: boolean;
}) {
  const ended = recorded ? "Recording" : "Ended";
  const label = { live: "LIVE", scheduled: "Upcoming", ended, cancelled: "Cancelled" };
  return <span class={`badge badge-${status}`}>{label[status]}</span>;
}

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
