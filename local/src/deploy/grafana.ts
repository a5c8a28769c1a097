// The Grafana dashboard cluster users import (deploy/grafana/stream-platform.json): the operator's
// panels of shared/src/observability/panels.ts, a row each, over a Prometheus data source
// chosen at import.
import { PANEL_ROWS } from "@stream-platform/shared";

const WIDTH = 24;
const PER_ROW = 3;
const HEIGHT = 8;
/** Grafana's variable reference (the data source picked at import), not a template literal. */
const DATASOURCE = "$" + "{datasource}";

export function grafanaDashboard(): string {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of PANEL_ROWS) {
    panels.push({
      id: id++,
      type: "row",
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: WIDTH, x: 0, y },
    });
    y += 1;
    row.panels.forEach((panel, index) => {
      const w = WIDTH / PER_ROW;
      panels.push({
        id: id++,
        type: "timeseries",
        title: panel.title,
        datasource: { type: "prometheus", uid: DATASOURCE },
        gridPos: {
          h: HEIGHT,
          w,
          x: (index % PER_ROW) * w,
          y: y + Math.floor(index / PER_ROW) * HEIGHT,
        },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        options: { legend: { displayMode: "list", placement: "bottom" } },
        targets: [{ refId: "A", expr: panel.query, legendFormat: panel.legend }],
      });
    });
    y += Math.ceil(row.panels.length / PER_ROW) * HEIGHT;
  }
  const dashboard = {
    title: "Stream Platform",
    uid: "stream-platform",
    tags: ["stream-platform", "knative"],
    timezone: "browser",
    schemaVersion: 39,
    refresh: "10s",
    time: { from: "now-1h", to: "now" },
    templating: {
      list: [{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus" }],
    },
    panels,
  };
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
