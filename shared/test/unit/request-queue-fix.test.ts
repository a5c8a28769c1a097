// kafkajs's request queue, as mended by shared/src/kafka: a connection whose requests do not
// wait arms no timer (kafkajs 2.2.4 re-armed a 1 ms one forever), while a request that waits
// for the broker's throttle is still sent when it passes.
import "../../src/kafka/request-queue-fix.ts";
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";
import { afterEach, describe, expect, it } from "vitest";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const queues: RequestQueue[] = [];

function queue(): RequestQueue {
  const q = new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: "test",
    broker: "127.0.0.1:9092",
    logger: quiet,
  });
  queues.push(q);
  return q;
}

afterEach(() => {
  for (const q of queues.splice(0))
    if (q.throttleCheckTimeoutId) clearTimeout(q.throttleCheckTimeoutId);
});

describe("kafkajs's request queue", () => {
  it("arms no timer once nothing waits (it looped every millisecond)", () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it("still sends a request held by the broker's throttle once it has passed", async () => {
    const q = queue();
    let sent = 0;
    q.maybeThrottle(30);
    (q as unknown as { push(request: unknown): void }).push({
      entry: { correlationId: 1, apiKey: 0, apiName: "Produce", apiVersion: 0, resolve() {} },
      expectResponse: false,
      sendRequest: () => {
        sent++;
      },
    });
    expect(sent).toBe(0);
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sent).toBe(1);
    expect(q.pending).toHaveLength(0);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });
});
