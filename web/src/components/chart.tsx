// A line chart of viewers over time (SVG: no chart library in the bundle), with a time axis
// (clock times, HH:MM) and a title and description that say what it shows to a screen reader.
export interface Point {
  at: number;
  value: number;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const clockSeconds = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** Tick steps, in seconds: the smallest that gives at most four ticks wins (room on a phone). */
const STEPS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** Round clock times between `from` and `to` (ms) to mark the time axis with. */
export function timeTicks(from: number, to: number): number[] {
  const span = Math.max(0, to - from);
  const step = (STEPS.find((s) => span / (s * 1000) <= 4) ?? (STEPS.at(-1) as number)) * 1000;
  // Whole minutes and hours of the viewer's clock, not of UTC.
  const offset = new Date(from).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((from - offset) / step) * step + offset; t <= to; t += step) ticks.push(t);
  return ticks.length > 0 ? ticks : [from];
}

export const timeLabel = (at: number, step: number) =>
  (step < 60_000 ? clockSeconds : clock).format(new Date(at));

export function LineChart({
  points,
  label,
  from,
  to,
  live = true,
}: {
  points: Point[];
  label: string;
  /** The time span to show (the stream's, say); else that of the points. */
  from?: number;
  to?: number;
  /** Live: the latest value is "now"; afterwards the chart is the whole stream's. */
  live?: boolean;
}) {
  const width = 600;
  const height = 180;
  const pad = 28;
  const bottom = height - pad - 8; // room for the time labels below the axis
  if (points.length === 0)
    return (
      <p class="muted">
        {live ? "No viewers yet: the chart fills in as people watch." : "Nobody watched."}
      </p>
    );
  const first = Math.min(from ?? Number.POSITIVE_INFINITY, points[0]?.at ?? 0);
  const last = Math.max(to ?? 0, points[points.length - 1]?.at ?? first);
  const peak = Math.max(0, ...points.map((p) => p.value));
  const max = Math.max(1, peak); // the scale's top
  const x = (at: number) => pad + ((at - first) / Math.max(1, last - first)) * (width - 2 * pad);
  const y = (value: number) => bottom - (value / max) * (bottom - pad);
  const path = points
    .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(" ");
  const latest = points[points.length - 1]?.value ?? 0;
  const ticks = timeTicks(first, last);
  const step = (ticks[1] ?? last) - (ticks[0] ?? first) || last - first;
  const start = timeLabel(first, step);
  const end = timeLabel(last, step);
  const summary = live
    ? `${label} from ${start} to ${end}: ${latest} now, at most ${peak}.`
    : `${label} from ${start} to ${end}: at most ${peak}.`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="chart-title chart-desc">
        <title id="chart-title">{label}</title>
        <desc id="chart-desc">{summary}</desc>
        <line x1={pad} y1={bottom} x2={width - pad} y2={bottom} class="axis" />
        <text x={4} y={pad}>
          {max}
        </text>
        <text x={4} y={bottom}>
          0
        </text>
        <g class="time-axis" data-testid="time-axis">
          {ticks.map((t) => (
            <g key={t}>
              <line x1={x(t)} y1={bottom} x2={x(t)} y2={bottom + 4} class="axis" />
              <text x={x(t)} y={height - 4} text-anchor="middle">
                {timeLabel(t, step)}
              </text>
            </g>
          ))}
        </g>
        <path d={path} class="line" />
        {points.length === 1 && (
          <circle cx={x(points[0]?.at ?? first)} cy={y(latest)} r={4} class="dot" />
        )}
      </svg>
      <figcaption>
        {live ? (
          <>
            {label}: <strong data-testid="chart-latest">{latest}</strong> now, peak {peak}
          </>
        ) : (
          <>
            {label}, {start}–{end}: peak <strong data-testid="chart-peak">{peak}</strong>
          </>
        )}
      </figcaption>
    </figure>
  );
}
