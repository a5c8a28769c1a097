// A line chart of several series over time (SVG: no chart library in the bundle), for the
// operator console's panels: a scale in the panel's unit, a clock-time axis, a line per series
// (a gap where the series has no points), and a legend with each series' latest value. Its title
// and description say what it shows to a screen reader.
import { useId } from "preact/hooks";
import { formatAxis, formatValue, type Series, scaleTop, type Unit } from "../ops.ts";
import { timeLabel, timeTicks } from "./chart.tsx";

/** Distinct on white (at least 3:1 against it), in this order. */
const COLOURS = [
  "#0b57d0",
  "#b3261e",
  "#146c2e",
  "#8e24aa",
  "#a15c00",
  "#00696f",
  "#c2185b",
  "#5f6368",
];
/** Past the colours, lines are dashed too. */
const DASHES = [undefined, "6 3", "2 3"];

export const colourOf = (index: number) => COLOURS[index % COLOURS.length] as string;
const dashOf = (index: number) => DASHES[Math.floor(index / COLOURS.length) % DASHES.length];

interface Drawn {
  name: string;
  points: [number, number][];
}

const latestOf = (series: Drawn) => series.points[series.points.length - 1]?.[1];

export function SeriesChart({
  title,
  unit,
  series,
  from,
  to,
  step,
}: {
  title: string;
  unit: Unit;
  series: Series[];
  /** The window shown, unix seconds. */
  from: number;
  to: number;
  /** Seconds between points: a longer silence is a gap in the line. */
  step: number;
}) {
  const id = useId();
  const width = 600;
  const height = 220;
  const left = 72; // room for the scale's labels ("120ms", at a phone's larger type too)
  const right = 12;
  const top = 12;
  const bottom = height - 28; // room for the time labels below the axis
  const drawn: Drawn[] = series
    .map((s) => ({
      name: s.name,
      points: s.points.filter((p): p is [number, number] => Number.isFinite(p[1])),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const shown = drawn.filter((s) => s.points.length > 0);
  const peak = Math.max(0, ...shown.flatMap((s) => s.points.map((p) => p[1])));
  const max = unit === "percentunit" && peak <= 1 && peak > 0.5 ? 1 : scaleTop(peak, unit);
  const first = Math.min(from, ...shown.map((s) => s.points[0]?.[0] ?? from));
  const last = Math.max(to, first + 1);
  const x = (at: number) => left + ((at - first) / (last - first)) * (width - left - right);
  const y = (value: number) => bottom - (Math.max(0, value) / max) * (bottom - top);
  const gap = Math.max(step, 1) * 2.5;
  const pathOf = (points: [number, number][]) =>
    points
      .map(([at, value], i) => {
        const move = i === 0 || at - (points[i - 1]?.[0] ?? at) > gap;
        return `${move ? "M" : "L"}${x(at).toFixed(1)},${y(value).toFixed(1)}`;
      })
      .join(" ");
  const ticks = timeTicks(first * 1000, last * 1000);
  const tickStep = (ticks[1] ?? last * 1000) - (ticks[0] ?? first * 1000) || (last - first) * 1000;
  const latest = shown
    .slice(0, 6)
    .map((s) => `${s.name} ${formatValue(latestOf(s), unit)}`)
    .join(", ");
  const summary =
    shown.length === 0
      ? `${title}: no data from ${timeLabel(first * 1000, tickStep)} to ${timeLabel(last * 1000, tickStep)}.`
      : `${title} from ${timeLabel(first * 1000, tickStep)} to ${timeLabel(last * 1000, tickStep)}, at most ${formatValue(peak, unit)}; latest: ${latest}${shown.length > 6 ? ` and ${shown.length - 6} more` : ""}.`;
  return (
    <figure class="chart ops-chart" data-testid="ops-chart" data-series={shown.length}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {[0, 0.5, 1].map((share) => (
          <g key={share}>
            <line
              x1={left}
              x2={width - right}
              y1={y(max * share)}
              y2={y(max * share)}
              class={share === 0 ? "axis" : "grid"}
            />
            <text x={left - 6} y={y(max * share) + 4} text-anchor="end">
              {formatAxis(max * share, unit)}
            </text>
          </g>
        ))}
        <g class="time-axis" data-testid="time-axis">
          {ticks.map((t) => (
            <g key={t}>
              <line x1={x(t / 1000)} y1={bottom} x2={x(t / 1000)} y2={bottom + 4} class="axis" />
              <text x={x(t / 1000)} y={height - 6} text-anchor="middle">
                {timeLabel(t, tickStep)}
              </text>
            </g>
          ))}
        </g>
        {drawn.map((s, index) =>
          s.points.length === 0 ? null : (
            <g key={s.name}>
              <path
                d={pathOf(s.points)}
                class="series"
                stroke={colourOf(index)}
                stroke-dasharray={dashOf(index)}
              />
              {s.points.length === 1 && (
                <circle
                  cx={x(s.points[0]?.[0] ?? first)}
                  cy={y(s.points[0]?.[1] ?? 0)}
                  r={3}
                  fill={colourOf(index)}
                />
              )}
            </g>
          ),
        )}
      </svg>
      <figcaption>
        <strong>{title}</strong>
        {shown.length === 0 ? (
          <span class="muted"> · no data in this window</span>
        ) : (
          <ul class="legend">
            {drawn.map((s, index) =>
              s.points.length === 0 ? null : (
                <li key={s.name}>
                  <svg width="18" height="8" aria-hidden="true" class="swatch">
                    <line
                      x1="1"
                      y1="4"
                      x2="17"
                      y2="4"
                      stroke={colourOf(index)}
                      stroke-dasharray={dashOf(index)}
                    />
                  </svg>
                  {s.name || title} <span class="muted">{formatValue(latestOf(s), unit)}</span>
                </li>
              ),
            )}
          </ul>
        )}
      </figcaption>
    </figure>
  );
}
