// The benchmark report opens in Chromium with its charts drawn: bars for the ratios, curves for
// a latency distribution and a throughput series (rendered from made-up results).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { renderReport } from "../lib/report.ts";

describe("benchmark report", () => {
  it("draws the ratios, a latency distribution and a throughput series", async () => {
    const html = renderReport({
      at: "2026-11-28T00:00:00Z",
      mode: "quick",
      machine: { cpus: 2, memoryGiB: 24, node: "v20" },
      benchmarks: [{ name: "search", ok: true, seconds: 3 }],
      results: [
        {
          bench: "search",
          name: "p50 <script>",
          figure: 12,
          baseline: 10,
          ratio: 1.2,
          unit: "ms",
          better: "lower",
          target: "ratio ≤ 1.3",
          met: true,
          samples: { figure: [10, 12, 15], baseline: [8, 10, 11] },
        },
        {
          bench: "analytics",
          name: "beats",
          figure: 900,
          baseline: 1000,
          ratio: 0.9,
          unit: "/s",
          better: "higher",
          target: "ratio ≥ 0.95",
          met: false,
          series: [
            {
              label: "step",
              unit: "/s",
              points: [
                [1, 800],
                [2, 950],
                [3, 900],
              ],
            },
          ],
        },
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), "report-"));
    const file = join(dir, "report.html");
    writeFileSync(file, html);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      await page.goto(`file://${file}`);
      const drawn = (await page.evaluate(`({
        bars: document.querySelectorAll("svg.chart rect").length,
        curves: document.querySelectorAll("svg.chart polyline").length,
        width: document.querySelector("svg.chart rect")?.getBoundingClientRect().width ?? 0,
        scripts: document.querySelectorAll("script").length,
        missed: document.querySelectorAll("tr.missed").length,
      })`)) as Record<string, number>;
      expect(drawn).toMatchObject({ bars: 2, curves: 3, scripts: 0, missed: 1 });
      expect(drawn.width).toBeGreaterThan(10);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
