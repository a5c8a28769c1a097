// The operator console (`/ops`, accounts with the operator role only): per function its request
// rate, 5xx share, p99 and instances (none: scaled to zero); consumer lag per event source; the
// live streams and their health; the dead-lettered events with their reason and a way to replay
// them; and the panels every operator looks at (shared/src/observability/panels.ts) drawn as
// charts. Read again every few seconds while the page is open (not while the tab is hidden).
// A chunk of its own: nobody else loads it.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, isOperator, request, traceIdOf, type VideoEvent } from "../api.ts";
import { SeriesChart } from "../components/series-chart.tsx";
import { ErrorNote, Loading } from "../components/status.tsx";
import { plural } from "../format.ts";
import {
  compact,
  type DeadLetter,
  type DeadLetterPage,
  type FunctionFigures,
  formatValue,
  type LiveStreamFigures,
  type OpsSummary,
  type PanelsAnswer,
  reasonLine,
  streamHealth,
  traceHref,
  traceTarget,
} from "../ops.ts";
import { useSession } from "../session.ts";
import { keepTraceUrl, useTraceUrl } from "../trace.ts";

const SUMMARY_EVERY_MS = 5000;
const DEAD_LETTERS_EVERY_MS = 10_000;
const PANELS_EVERY_MS = 15_000;
const PAGE_SIZE = 50;

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** Asks `load` now and every `everyMs` while the tab is visible; keeps the last answer. */
function usePolled<T>(load: (signal: AbortSignal) => Promise<T>, everyMs: number, key: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; at?: number }>({});
  useEffect(() => {
    const controller = new AbortController();
    let busy = false;
    const tick = async () => {
      if (busy || document.visibilityState === "hidden") return;
      busy = true;
      try {
        const data = await load(controller.signal);
        if (!controller.signal.aborted) setState({ data, at: Date.now() });
      } catch (error) {
        if ((error as Error).name !== "AbortError" && !controller.signal.aborted)
          setState((s) => ({ ...s, error }));
      } finally {
        busy = false;
      }
    };
    void tick();
    const timer = setInterval(tick, everyMs);
    // Back to the tab: fresh figures at once, not at the next tick.
    const visible = () => document.visibilityState === "visible" && void tick();
    document.addEventListener("visibilitychange", visible);
    return () => {
      controller.abort();
      clearInterval(timer);
      document.removeEventListener("visibilitychange", visible);
    };
  }, key);
  return state;
}

const refused = (error: unknown) => error instanceof ApiError && error.status === 403;

export function OperatorsOnly() {
  return (
    <div class="panel" data-testid="operators-only">
      <h2>Operators only</h2>
      <p>
        The operations console shows the platform's health; only accounts with the operator role may
        open it. <a href="/">Back home</a>
      </p>
    </div>
  );
}

function Functions({ functions }: { functions: FunctionFigures[] }) {
  const sorted = [...functions].sort((a, b) => a.service.localeCompare(b.service));
  return (
    <section class="panel" aria-labelledby="ops-functions">
      <h2 id="ops-functions">Functions</h2>
      {sorted.length === 0 ? (
        <p class="muted">No function has reported figures yet.</p>
      ) : (
        // A narrow screen scrolls the table sideways (focusable, so a keyboard can too).
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus
        <section class="table-scroll" aria-label="Functions table" tabIndex={0}>
          <table class="figures" data-testid="ops-functions">
            <thead>
              <tr>
                <th scope="col">Function</th>
                <th scope="col">
                  <abbr title="Requests per second">Req/s</abbr>
                </th>
                <th scope="col">
                  <abbr title="Share of answers that were server errors (5xx)">5xx</abbr>
                </th>
                <th scope="col">
                  <abbr title="99th percentile of the answers' latency">p99</abbr>
                </th>
                <th scope="col">Instances</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((f) => (
                <tr key={f.service}>
                  <th scope="row">{f.service}</th>
                  <td data-testid="function-rate">
                    {f.requestsPerSecond === null ? "–" : compact(f.requestsPerSecond)}
                  </td>
                  <td class={f.errorRatio ? "warn" : undefined} data-testid="function-errors">
                    {formatValue(f.errorRatio, "percentunit")}
                  </td>
                  <td data-testid="function-p99">{formatValue(f.p99Seconds, "s")}</td>
                  <td data-testid="function-instances">
                    {f.instances === 0 ? (
                      <span class="scaled-to-zero">0 · scaled to zero</span>
                    ) : (
                      f.instances
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

/** Event titles by id, asked once each (a stream is named by its event). */
const titles = new Map<string, Promise<string | undefined>>();
function useTitle(eventId: string): string | undefined {
  const [title, setTitle] = useState<string>();
  useEffect(() => {
    let current = true;
    let asked = titles.get(eventId);
    if (!asked) {
      asked = request<VideoEvent>(`/api/events/${encodeURIComponent(eventId)}`).then(
        (event) => event.title,
        () => {
          titles.delete(eventId);
          return undefined;
        },
      );
      titles.set(eventId, asked);
    }
    asked.then((t) => current && setTitle(t));
    return () => {
      current = false;
    };
  }, [eventId]);
  return title;
}

function Stream({ stream }: { stream: LiveStreamFigures }) {
  const title = useTitle(stream.event);
  const health = streamHealth(stream);
  const figures: [string, string, string][] = [
    ["Bitrate", formatValue(stream.inputKbps, "kbps"), "stream-bitrate"],
    [
      "Frame rate",
      stream.fps === null ? "–" : `${formatValue(stream.fps, "short")} fps`,
      "stream-fps",
    ],
    [
      "Encoder speed",
      stream.encoderSpeed === null ? "–" : `${formatValue(stream.encoderSpeed, "short")}×`,
      "stream-speed",
    ],
    ["Dropped frames", formatValue(stream.droppedFrames ?? 0, "short"), "stream-dropped"],
    ["Encoder restarts", formatValue(stream.restarts ?? 0, "short"), "stream-restarts"],
  ];
  return (
    <li data-testid="ops-stream" data-event={stream.event}>
      <p class="stream-title">
        <a href={`/watch/${stream.event}`}>{title ?? stream.event}</a>{" "}
        <span class={`health-badge health-${health.level}`} data-testid="stream-health">
          {health.text}
        </span>
      </p>
      <dl class="health">
        {figures.map(([term, value, id]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd data-testid={id}>{value}</dd>
          </div>
        ))}
      </dl>
    </li>
  );
}

function Streams({ streams }: { streams: LiveStreamFigures[] }) {
  return (
    <section class="panel" aria-labelledby="ops-streams">
      <h2 id="ops-streams">Live streams</h2>
      {streams.length === 0 ? (
        <p class="muted">Nothing is being streamed now.</p>
      ) : (
        <ul class="ops-streams">
          {streams.map((stream) => (
            <Stream key={stream.event} stream={stream} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Lag({ lag }: { lag: OpsSummary["lag"] }) {
  const sorted = [...lag].sort((a, b) => a.source.localeCompare(b.source));
  return (
    <section class="panel" aria-labelledby="ops-lag">
      <h2 id="ops-lag">Consumer lag</h2>
      {sorted.length === 0 ? (
        <p class="muted">No event source reports its lag yet.</p>
      ) : (
        <table class="figures" data-testid="ops-lag">
          <thead>
            <tr>
              <th scope="col">Event source</th>
              <th scope="col">Events behind</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((row) => (
              <tr key={row.source}>
                <th scope="row">{row.source}</th>
                <td class={row.lag > 0 ? "warn" : undefined}>{formatValue(row.lag, "short")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Letter({
  letter,
  onReplayed,
}: {
  letter: DeadLetter;
  onReplayed: (key: string, at: string) => void;
}) {
  const [replaying, setReplaying] = useState(false);
  const [error, setError] = useState<unknown>();
  const traceUrl = useTraceUrl(useSession());
  const traceId = traceIdOf(letter.traceparent);
  const replay = async () => {
    setReplaying(true);
    setError(undefined);
    try {
      const answer = await request<{ replayedAt: string }>(
        `/api/ops/dead-letters/${encodeURIComponent(letter.key)}/replay`,
        { method: "POST" },
      );
      onReplayed(letter.key, answer.replayedAt);
    } catch (e) {
      setError(e);
    } finally {
      setReplaying(false);
    }
  };
  const labelId = `letter-${letter.key}`;
  return (
    <li data-testid="dead-letter" data-key={letter.key}>
      <p class="letter-head">
        <strong id={labelId}>{letter.type}</strong>{" "}
        <time class="muted" dateTime={letter.deadLetteredAt}>
          {dateTime.format(new Date(letter.deadLetteredAt))}
        </time>
        {(letter.failures ?? 1) > 1 && (
          <span class="muted"> · dead-lettered {letter.failures} times (again after a replay)</span>
        )}
      </p>
      <p class="letter-reason" data-testid="dead-letter-reason">
        {reasonLine(letter)}
      </p>
      <p class="muted letter-where">
        Refused by <code>{letter.destination}</code> · event <code>{letter.id}</code> from{" "}
        <code>{letter.source}</code>
        {letter.subject && (
          <>
            {" "}
            about <code>{letter.subject}</code>
          </>
        )}
        {traceId && traceUrl && (
          <>
            {" "}
            ·{" "}
            <a href={traceHref(traceUrl, traceId)} {...traceTarget(traceHref(traceUrl, traceId))}>
              View the event's trace
            </a>
          </>
        )}
      </p>
      <details>
        <summary>Event data</summary>
        <pre>{JSON.stringify(letter.data, null, 2)}</pre>
      </details>
      <div class="letter-actions">
        {letter.replayedAt ? (
          <p class="replayed" data-testid="replayed">
            Replayed{" "}
            <time dateTime={letter.replayedAt}>{dateTime.format(new Date(letter.replayedAt))}</time>
          </p>
        ) : (
          <button
            type="button"
            class="secondary"
            onClick={replay}
            disabled={replaying}
            aria-describedby={labelId}
          >
            {replaying ? "Replaying…" : "Replay"}
          </button>
        )}
        {error !== undefined && <ErrorNote error={error} />}
      </div>
    </li>
  );
}

/** Newest first; the first page read again every few seconds, older pages on demand. */
function DeadLetters({ counts }: { counts?: OpsSummary["deadLetters"] }) {
  const first = usePolled(
    (signal) => request<DeadLetterPage>(`/api/ops/dead-letters?limit=${PAGE_SIZE}`, { signal }),
    DEAD_LETTERS_EVERY_MS,
    // A new dead letter, or one replayed elsewhere: read again at once.
    [counts?.total, counts?.unreplayed],
  );
  const [older, setOlder] = useState<DeadLetter[]>([]);
  const [next, setNext] = useState<string | null | undefined>();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<unknown>();
  /** Replays done here, until the list says so itself. */
  const [replayed, setReplayed] = useState<Record<string, string>>({});
  const byKey = new Map<string, DeadLetter>();
  for (const letter of [...older, ...(first.data?.items ?? [])]) byKey.set(letter.key, letter);
  const letters = [...byKey.values()]
    .map((l) => {
      const at = replayed[l.key];
      // Replayed here, and not dead-lettered again since (then it shows as it is now).
      return !l.replayedAt && at && Date.parse(l.deadLetteredAt) <= Date.parse(at)
        ? { ...l, replayedAt: at }
        : l;
    })
    .sort((a, b) => b.deadLetteredAt.localeCompare(a.deadLetteredAt));
  const cursor = next === undefined ? first.data?.next : next;
  const more = async () => {
    if (!cursor) return;
    setLoadingOlder(true);
    setOlderError(undefined);
    try {
      const page = await request<DeadLetterPage>(
        `/api/ops/dead-letters?limit=${PAGE_SIZE}&before=${encodeURIComponent(cursor)}`,
      );
      setOlder((held) => [...held, ...page.items]);
      setNext(page.next);
    } catch (e) {
      setOlderError(e);
    } finally {
      setLoadingOlder(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="ops-dead-letters">
      <h2 id="ops-dead-letters">Dead letters</h2>
      {counts && (
        <p data-testid="dead-letter-counts">
          {plural(counts.total, "event")} dead-lettered, {counts.unreplayed} not replayed.
        </p>
      )}
      {first.error !== undefined && <ErrorNote error={first.error} />}
      {!first.data ? (
        first.error === undefined && <Loading what="dead letters" />
      ) : letters.length === 0 ? (
        <p class="muted">No event has been dead-lettered.</p>
      ) : (
        <ul class="dead-letters">
          {letters.map((letter) => (
            <Letter
              key={letter.key}
              letter={letter}
              onReplayed={(key, at) => setReplayed((held) => ({ ...held, [key]: at }))}
            />
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="secondary" onClick={more} disabled={loadingOlder}>
          {loadingOlder ? "Loading…" : "Show older"}
        </button>
      )}
      {olderError !== undefined && <ErrorNote error={olderError} />}
    </section>
  );
}

const WINDOWS: [number, string][] = [
  [15, "Last 15 minutes"],
  [60, "Last hour"],
  [180, "Last 3 hours"],
  [360, "Last 6 hours"],
  [1440, "Last 24 hours"],
];

function Charts({ metrics }: { metrics?: OpsSummary["metrics"] }) {
  const [minutes, setMinutes] = useState(60);
  const panels = usePolled(
    (signal) => request<PanelsAnswer>(`/api/ops/panels?minutes=${minutes}`, { signal }),
    PANELS_EVERY_MS,
    [minutes, metrics],
  );
  const data = panels.data;
  const to = (panels.at ?? Date.now()) / 1000;
  const from = to - (data?.minutes ?? minutes) * 60;
  return (
    <section class="panel" aria-labelledby="ops-charts">
      <div class="charts-head">
        <h2 id="ops-charts">Charts</h2>
        <label>
          Window{" "}
          <select
            value={String(minutes)}
            onChange={(e) => setMinutes(Number(e.currentTarget.value))}
          >
            {WINDOWS.map(([value, label]) => (
              <option key={value} value={String(value)}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {panels.error !== undefined && <ErrorNote error={panels.error} />}
      {!data
        ? panels.error === undefined && <Loading what="charts" />
        : data.rows.map((row) => (
            <section key={row.title} aria-label={`${row.title} charts`} class="chart-row">
              <h3>{row.title}</h3>
              <div class="charts">
                {row.panels.map((panel) => (
                  <SeriesChart
                    key={panel.title}
                    title={panel.title}
                    unit={panel.unit}
                    series={panel.series}
                    from={from}
                    to={to}
                    step={data.step}
                  />
                ))}
              </div>
            </section>
          ))}
    </section>
  );
}

function Console() {
  const summary = usePolled(
    (signal) => request<OpsSummary>("/api/ops/summary", { signal }),
    SUMMARY_EVERY_MS,
    [],
  );
  const data = summary.data;
  useEffect(() => {
    if (data) keepTraceUrl(data.traceUrl);
  }, [data?.traceUrl]);
  if (refused(summary.error)) return <OperatorsOnly />;
  if (summary.error instanceof ApiError && summary.error.status === 401)
    return (
      <p>
        Your session has ended. <a href="/account?next=/ops">Sign in</a> again.
      </p>
    );
  return (
    <>
      {summary.at && (
        <p class="muted" data-testid="ops-updated">
          Updated{" "}
          <time dateTime={new Date(summary.at).toISOString()}>{clock.format(summary.at)}</time> ·
          read again every {SUMMARY_EVERY_MS / 1000} s.
        </p>
      )}
      {summary.error !== undefined && <ErrorNote error={summary.error} />}
      {data?.metrics === "unavailable" && (
        <p class="notice" role="status" data-testid="metrics-unavailable">
          <strong>Metrics unavailable:</strong> the metrics server cannot be reached, so there are
          no figures or charts until it answers. Dead letters are listed below all the same.
          {data.metricsProblem && <span class="muted"> ({data.metricsProblem})</span>}
        </p>
      )}
      {!data ? (
        summary.error === undefined && <Loading what="the platform's figures" />
      ) : (
        <>
          {data.metrics !== "unavailable" && (
            <div class="ops-grid">
              <Functions functions={data.functions} />
              <div>
                <Streams streams={data.streams} />
                <Lag lag={data.lag} />
              </div>
            </div>
          )}
          <DeadLetters counts={data.deadLetters} />
          {data.metrics !== "unavailable" && <Charts metrics={data.metrics} />}
        </>
      )}
    </>
  );
}

/** A page of the console: its heading, then its content for operators only. */
export function OperatorPage({
  heading,
  next,
  children,
}: {
  heading: string;
  /** Where signing in leads back to. */
  next: string;
  children: () => ComponentChildren;
}) {
  const user = useSession();
  return (
    <div class="ops">
      <h1>{heading}</h1>
      {user === undefined ? (
        <Loading what="your account" />
      ) : user === null ? (
        <p>
          <a href={`/account?next=${encodeURIComponent(next)}`}>Sign in</a> with an operator's
          account to see the operations console.
        </p>
      ) : isOperator(user) ? (
        children()
      ) : (
        <OperatorsOnly />
      )}
    </div>
  );
}

export function Ops() {
  document.title = "Operations · Stream Platform";
  return (
    <OperatorPage heading="Operations" next="/ops">
      {() => <Console />}
    </OperatorPage>
  );
}
