// A line chart of viewers over time (SVG: no chart library in the bundle).
export interface Point {
  at: number;
  value: number;
}

export function LineChart({ points, label }: { points: Point[]; label: string }) {
  const width = 600;
  const height = 160;
  const pad = 24;
  if (points.length === 0)
    return <p class="muted">No viewers yet: the chart fills in as people watch.</p>;
  const first = points[0]?.at ?? 0;
  const last = points[points.length - 1]?.at ?? first;
  const max = Math.max(1, ...points.map((p) => p.value));
  const x = (at: number) => pad + ((at - first) / Math.max(1, last - first)) * (width - 2 * pad);
  const y = (value: number) => height - pad - (value / max) * (height - 2 * pad);
  const path = points
    .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(" ");
  const latest = points[points.length - 1]?.value ?? 0;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: now ${latest}`}>
        <line x1={pad} y1={height - pad} x2={width - pad} y2={height - pad} class="axis" />
        <text x={4} y={pad}>
          {max}
        </text>
        <text x={4} y={height - pad}>
          0
        </text>
        <path d={path} class="line" />
        {points.length === 1 && <circle cx={x(first)} cy={y(latest)} r={4} class="dot" />}
      </svg>
      <figcaption>
        {label}: <strong data-testid="chart-latest">{latest}</strong> now, peak {max}
      </figcaption>
    </figure>
  );
}
