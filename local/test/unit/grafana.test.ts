// The operator's panels (and so the Grafana dashboard generated from them) read only metrics that
// some process of the platform serves: a renamed metric cannot leave a panel silently empty.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { metricsOf, PANEL_ROWS } from "@stream-platform/shared";
import { describe, expect, it } from "vitest";
import { grafanaDashboard } from "../../src/deploy/grafana.ts";
import { repoRoot } from "../../src/paths.ts";

/** Every metric name registered with a registry (`.counter("…"`, `.gauge(`, `.histogram(`). */
function registeredMetrics(): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!["node_modules", "test", "dist"].includes(entry.name)) visit(path);
      } else if (entry.name.endsWith(".ts")) {
        const text = readFileSync(path, "utf8");
        for (const m of text.matchAll(/\.(?:counter|gauge|histogram)\(\s*"([a-z_][a-z0-9_]*)"/g))
          names.add(m[1] as string);
      }
    }
  };
  for (const root of ["shared/src", "stream-server/src", "local/src", "functions"])
    visit(join(repoRoot, root));
  return names;
}

describe("the operator's panels", () => {
  it("read only metrics the platform serves", () => {
    const served = registeredMetrics();
    expect(served.has("http_server_request_duration_seconds")).toBe(true);
    const unknown = PANEL_ROWS.flatMap((row) => row.panels)
      .flatMap((panel) => metricsOf(panel.query).map((name) => ({ panel: panel.title, name })))
      .filter(({ name }) => !served.has(name.replace(/_(bucket|count|sum)$/, "")));
    expect(unknown).toEqual([]);
    // The check sees a metric nobody serves.
    expect(metricsOf("sum(rate(no_such_metric_total[1m]))")).toEqual(["no_such_metric_total"]);
  });

  it("are the Grafana dashboard's, a row each", () => {
    const dashboard = JSON.parse(grafanaDashboard()) as {
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    const rows = dashboard.panels.filter((p) => p.type === "row").map((p) => p.title);
    expect(rows).toEqual(PANEL_ROWS.map((row) => row.title));
    const exprs = dashboard.panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []);
    expect(exprs).toEqual(PANEL_ROWS.flatMap((row) => row.panels.map((panel) => panel.query)));
  });
});
