// The runtime's service discovery for the metrics server: running HTTP instances only, each at
// its process's own port and named by its Service.
import { describe, expect, it } from "vitest";
import { scrapeTargets } from "../../src/eventing/scrape-targets.ts";

describe("scrape targets", () => {
  it("lists each running HTTP instance at its own port, and nothing else", () => {
    expect(
      scrapeTargets([
        { service: "events", port: 41001, grpc: false },
        // Scaled to zero: scraping it would need waking it.
        { service: "search", grpc: false },
        // gRPC only: no HTTP port for /metrics.
        { service: "events-grpc", port: 41002, grpc: true },
      ]),
    ).toEqual([{ targets: ["127.0.0.1:41001"], labels: { service: "events" } }]);
  });
});
