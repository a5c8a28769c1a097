// One trace, for operators (`/ops/traces/TRACE_ID`, where "View trace" on a request's error
// leads): its spans as a waterfall, each under its parent, with its service, when it started
// and how long it took, its errors marked and its attributes a click away. Spans reach the trace
// store a few seconds after the request, so a trace not there yet is asked for again a few times.
import { useEffect, useState } from "preact/hooks";
import { ApiError, request } from "../api.ts";
import { ErrorNote, Loading } from "../components/status.tsx";
import { plural } from "../format.ts";
import { milliseconds, type Trace, type TraceSpan, waterfall } from "../ops.ts";
import { OperatorPage, OperatorsOnly } from "./ops.tsx";

const RETRY_MS = 3000;
const RETRIES = 10;

function Span({ span, depth, total }: { span: TraceSpan; depth: number; total: number }) {
  const width = 1000;
  const x = (span.startMs / total) * width;
  const w = Math.max(2, (span.durationMs / total) * width);
  const attributes = Object.entries(span.attributes).sort(([a], [b]) => a.localeCompare(b));
  return (
    <li class={span.error ? "span span-error" : "span"} data-testid="span">
      <div class="span-text" style={{ paddingLeft: `${Math.min(depth, 12) * 1.25}rem` }}>
        <strong>{span.service || "unknown service"}</strong> {span.name}{" "}
        <span class="muted">
          at +{milliseconds(span.startMs)}, took {milliseconds(span.durationMs)}
        </span>
        {span.error && <span class="health-bad"> · error</span>}
      </div>
      <svg
        class="span-bar"
        viewBox={`0 0 ${width} 10`}
        preserveAspectRatio="none"
        aria-hidden="true"
      >
        <rect x={Math.min(x, width - w)} y={1} width={w} height={8} rx={2} />
      </svg>
      {attributes.length > 0 && (
        <details>
          <summary>Attributes</summary>
          <dl class="attributes">
            {attributes.map(([key, value]) => (
              <div key={key}>
                <dt>{key}</dt>
                <dd>{String(value)}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </li>
  );
}

function TraceView({ traceId }: { traceId: string }) {
  const [trace, setTrace] = useState<Trace>();
  const [error, setError] = useState<unknown>();
  const [tries, setTries] = useState(0);
  /** "Look again" after the retries ran out starts a new round. */
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = (attempt: number) =>
      request<Trace>(`/api/ops/traces/${traceId}`, { signal: controller.signal }).then(
        (answer) => {
          setTrace(answer);
          setError(undefined);
        },
        (e: unknown) => {
          if ((e as Error).name === "AbortError") return;
          setError(e);
          setTries(attempt);
          // Not in the store yet: its spans may still be on their way.
          if (e instanceof ApiError && e.status === 404 && attempt < RETRIES)
            timer = setTimeout(() => ask(attempt + 1), RETRY_MS);
        },
      );
    void ask(1);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [traceId, round]);
  if (error instanceof ApiError && error.status === 403) return <OperatorsOnly />;
  if (!trace) {
    if (error instanceof ApiError && error.status === 404)
      return (
        <div data-testid="trace-missing">
          <p>
            <strong>This trace is not in the trace store</strong>
            {tries < RETRIES ? ", not yet: looking again…" : "."}
          </p>
          <p class="muted">{error.detail}</p>
          {tries >= RETRIES && (
            <button type="button" class="secondary" onClick={() => setRound((r) => r + 1)}>
              Look again
            </button>
          )}
        </div>
      );
    if (error !== undefined) return <ErrorNote error={error} />;
    return <Loading what="the trace" />;
  }
  const rows = waterfall(trace.spans);
  const total = Math.max(1e-3, ...trace.spans.map((s) => s.startMs + s.durationMs));
  const services = [...new Set(trace.spans.map((s) => s.service).filter(Boolean))].sort();
  const errors = trace.spans.filter((s) => s.error).length;
  return (
    <>
      <p data-testid="trace-summary">
        {plural(trace.spans.length, "span")} over {milliseconds(total)}, in{" "}
        {services.join(", ") || "no named service"}
        {errors > 0 && (
          <>
            ; <span class="health-bad">{plural(errors, "error")}</span>
          </>
        )}
        .
      </p>
      <ol class="waterfall" aria-label="Spans, each under its parent">
        {rows.map(({ span, depth }) => (
          <Span key={span.spanId} span={span} depth={depth} total={total} />
        ))}
      </ol>
    </>
  );
}

export function OpsTrace({ traceId }: { traceId: string }) {
  document.title = "Trace · Operations · Stream Platform";
  return (
    <OperatorPage heading="Trace" next={`/ops/traces/${traceId}`}>
      {() => (
        <>
          <p>
            <code data-testid="trace-id">{traceId}</code> · <a href="/ops">Operations console</a>
          </p>
          <TraceView traceId={traceId} />
        </>
      )}
    </OperatorPage>
  );
}
