// What `npm start` prints, formatted without any server: every row's address starts in the same
// column, however long a function's name.
import { describe, expect, it } from "vitest";
import { columns, welcomeText } from "../src/report.ts";

describe("columns", () => {
  it("pads each column to its longest cell, two spaces apart, with no trailing blanks", () => {
    expect(
      columns([
        ["a", "bb", "c"],
        ["aaaa", "b", ""],
      ]),
    ).toBe("a     bb  c\naaaa  b");
  });

  it("keeps a minimum width", () => {
    expect(columns([["a", "b"]], 4)).toBe("a     b");
  });
});

describe("welcomeText", () => {
  const text = welcomeText({
    edgeUrl: "http://127.0.0.1:8080",
    rtmpPort: 1935,
    services: [
      { name: "events", url: "http://127.0.0.1:8102", state: "ready" },
      { name: "analytics-aggregator", url: "http://127.0.0.1:8101", state: "scaled to zero" },
    ],
  });
  const rows = text.split("\n").filter((line) => line.startsWith("  "));

  it("separates a long function name from its address", () => {
    expect(text).toMatch(
      /function analytics-aggregator +http:\/\/127\.0\.0\.1:8101 \(scaled to zero\)/,
    );
    expect(text).not.toContain("aggregatorhttp");
  });

  it("starts every address in the same column", () => {
    expect(rows).toHaveLength(7);
    const starts = rows.map((row) => row.search(/(POST )?(http|rtmp):\/\//));
    expect(new Set(starts).size).toBe(1);
    // The column is just past the longest label, not wider.
    expect(starts[0]).toBe("  function analytics-aggregator  ".length);
  });
});
