// The operator console's data (`/api/ops/…`, the ops function) and how its figures are said:
// shapes, units, and a live stream's health in words. Pure: the page draws, this decides.

import type {
  ChartPanel,
  ChartSeries,
  DeadLetterView,
  OpsFunctionRow,
  OpsLagRow,
  OpsPanels,
  OpsStreamRow,
  PanelUnit,
  TraceSpan,
} from "@stream-platform/shared/api";

export type { DeadLetterPage, OpsSummary, Trace, TraceSpan } from "@stream-platform/shared/api";
// The console's own names for the API's shapes (shared/src/api/ops.ts).
export type FunctionFigures = OpsFunctionRow;
export type ConsumerLag = OpsLagRow;
export type LiveStreamFigures = OpsStreamRow;
export type Unit = PanelUnit;
export type Series = ChartSeries;
export type PanelFigures = ChartPanel;
export type PanelsAnswer = OpsPanels;
export type DeadLetter = DeadLetterView;

const significant = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3 });
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** 1234 → "1.23k": a number in three significant digits, large ones with k, M, G. */
export function compact(value: number): string {
  const size = Math.abs(value);
  for (const [limit, suffix] of [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ] as const)
    if (size >= limit) return `${significant.format(value / limit)}${suffix}`;
  return significant.format(value);
}

/** A value in its panel's unit, as a person reads it: "1.5 req/s", "2.5 %", "12 ms", "3 MiB". */
export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  switch (unit) {
    case "reqps":
      return `${compact(value)} req/s`;
    case "ops":
      return `${compact(value)}/s`;
    case "percentunit":
      return `${significant.format(value * 100)} %`;
    case "s":
      if (value === 0) return "0 s";
      if (Math.abs(value) < 1e-3) return `${significant.format(value * 1e6)} µs`;
      if (Math.abs(value) < 1) return `${significant.format(value * 1e3)} ms`;
      return `${significant.format(value)} s`;
    case "bytes": {
      const units = ["B", "KiB", "MiB", "GiB", "TiB"];
      let scaled = value;
      let index = 0;
      while (Math.abs(scaled) >= 1024 && index < units.length - 1) {
        scaled /= 1024;
        index++;
      }
      return `${index === 0 ? whole.format(scaled) : significant.format(scaled)} ${units[index]}`;
    }
    case "kbps":
      return Math.abs(value) >= 10_000
        ? `${significant.format(value / 1000)} Mbit/s`
        : `${whole.format(value)} kbit/s`;
    default:
      return compact(value);
  }
}

/** A value on a chart's scale, short: "1.5/s", "50%", "120ms", "2MiB", "1.8Mb/s". */
export function formatAxis(value: number, unit: Unit): string {
  if (unit === "reqps") return formatValue(value, unit).replace(" req/s", "/s");
  if (unit === "kbps")
    return value >= 1000 ? `${significant.format(value / 1000)}Mb/s` : `${whole.format(value)}kb/s`;
  return formatValue(value, unit).replace(" ", "");
}

/**
 * The top of a chart's scale: 1, 2, 2.5 or 5 times a power of ten, at least `peak`; for bytes,
 * of the power of 1024 it is shown in (200 MiB, not 191 MiB).
 */
export function scaleTop(peak: number, unit?: Unit): number {
  if (unit === "bytes" && peak >= 1024) {
    const power = 1024 ** Math.min(4, Math.floor(Math.log(peak) / Math.log(1024)));
    return scaleTop(peak / power) * power;
  }
  if (!Number.isFinite(peak) || peak <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(peak));
  for (const step of [1, 2, 2.5, 5, 10]) if (peak <= step * power * (1 + 1e-9)) return step * power;
  return 10 * power;
}

export type Level = "ok" | "warn" | "bad";

/** How a live stream fares, in words: "Healthy", or what is wrong ("Encoder falling behind"). */
export function streamHealth(stream: LiveStreamFigures): { level: Level; text: string } {
  if (stream.signal === false || !stream.inputKbps || !stream.fps)
    return { level: "bad", text: "No signal" };
  const problems: string[] = [];
  let level: Level = "ok";
  const speed = stream.encoderSpeed;
  if (speed !== null && speed < 0.9) {
    problems.push(`Encoder falling behind (${significant.format(speed)}×)`);
    level = "bad";
  } else if (speed !== null && speed < 0.97) {
    problems.push(`Encoder slow (${significant.format(speed)}×)`);
    level = "warn";
  }
  if (stream.droppedFrames) {
    problems.push(`${whole.format(stream.droppedFrames)} frames dropped`);
    if (level === "ok") level = "warn";
  }
  if (stream.restarts) {
    problems.push(
      `encoder restarted ${stream.restarts === 1 ? "once" : `${whole.format(stream.restarts)} times`}`,
    );
    if (level === "ok") level = "warn";
  }
  if (problems.length === 0) return { level, text: "Healthy" };
  const text = problems.join(", ");
  return { level, text: text.charAt(0).toUpperCase() + text.slice(1) };
}

/**
 * What a dead letter's reason says, in a line: the refusing sink's answer (a problem+json body
 * is said by its title and detail), after its status code.
 */
export function reasonLine(letter: Pick<DeadLetter, "code" | "reason">): string {
  let reason = letter.reason.trim() || "no reason given";
  try {
    const problem = JSON.parse(reason) as { title?: unknown; detail?: unknown };
    const words = [problem.title, problem.detail].filter(
      (w): w is string => typeof w === "string" && w.length > 0,
    );
    if (words.length > 0) reason = words.join(": ");
  } catch {
    // Not JSON: the answer's text as it is.
  }
  return letter.code ? `${letter.code}: ${reason}` : reason;
}

/**
 * The spans in the order a waterfall shows them: each after its parent (children by start),
 * with its depth; spans whose parent is not in the trace start a tree of their own.
 */
export function waterfall(spans: TraceSpan[]): { span: TraceSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, TraceSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const ordered: { span: TraceSpan; depth: number }[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | null, depth: number) => {
    const list = [...(children.get(parent) ?? [])].sort(
      (a, b) => a.startMs - b.startMs || a.spanId.localeCompare(b.spanId),
    );
    for (const span of list) {
      if (seen.has(span.spanId)) continue; // a cycle in broken data: each span once
      seen.add(span.spanId);
      ordered.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit(null, 0);
  // Spans only reachable through a cycle (broken data): shown all the same, at the top.
  for (const span of spans)
    if (!seen.has(span.spanId)) {
      seen.add(span.spanId);
      ordered.push({ span, depth: 0 });
      visit(span.spanId, 1);
    }
  return ordered;
}

/** "12.3 ms", "1.25 s": a span's length or offset. */
export const milliseconds = (ms: number): string => formatValue(ms / 1000, "s");

/** The link to a trace: the template with its `{traceId}` filled in. */
export const traceHref = (url: string, traceId: string): string =>
  url.replaceAll("{traceId}", encodeURIComponent(traceId));

/**
 * How a trace link opens: the console's own trace page (a path) in place, like any link of the
 * app; another site's viewer in a new tab.
 */
export const traceTarget = (href: string) =>
  href.startsWith("/") ? {} : { target: "_blank", rel: "noreferrer" };
