// The runtime's service discovery for the metrics server: running instances only, each at its
// process's own /metrics port and named by its Service.
import { describe, expect, it } from "vitest";
import { scrapeTargets } from "../../src/eventing/scrape-targets.ts";

describe("scrape targets", () => {
  it("lists each running instance at its own port, and nothing else", () => {
    expect(
      scrapeTargets([
        { service: "events", port: 41001 },
        // Scaled to zero: scraping it would need waking it.
        { service: "search" },
        // A gRPC server, at its METRICS_PORT (its gRPC port speaks HTTP/2 only).
        { service: "events-grpc", port: 41003 },
      ]),
    ).toEqual([
      { targets: ["127.0.0.1:41001"], labels: { service: "events" } },
      { targets: ["127.0.0.1:41003"], labels: { service: "events-grpc" } },
    ]);
  });
});
