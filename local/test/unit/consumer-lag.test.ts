// A KafkaSource's lag per partition: what lies past its committed offset, and for a group that
// never committed, where its initialOffset would start it.
import { describe, expect, it } from "vitest";
import { partitionLag } from "../../src/eventing/consumer-lag.ts";

describe("partitionLag", () => {
  it("counts the records past the committed offset", () => {
    expect(partitionLag(90, { low: 0, high: 100 }, false)).toBe(10);
    expect(partitionLag(100, { low: 0, high: 100 }, true)).toBe(0);
  });

  it("counts from the start of what is kept when the committed offset was deleted", () => {
    expect(partitionLag(5, { low: 40, high: 100 }, false)).toBe(60);
  });

  it("takes a group without a commit to start where its initialOffset says", () => {
    expect(partitionLag(-1, { low: 10, high: 100 }, true)).toBe(90);
    expect(partitionLag(-1, { low: 10, high: 100 }, false)).toBe(0);
  });
});
