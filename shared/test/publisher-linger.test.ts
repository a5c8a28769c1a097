// A publisher that lingers (the ingress's, 2 ms) against the real Kafka: what is published while
// it lingers goes in one request, and a disconnect sends what lingers rather than refusing it.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvent } from "../src/cloudevents/platform-event.ts";
import { createKafka, EventPublisher } from "../src/kafka/index.ts";
import { type EventWatch, watchEvents } from "../src/testing/platform.ts";

let watch: EventWatch;
const ping = (note: string) =>
  createEvent({
    type: "streamplatform.diagnostic.ping",
    source: "/test/publisher-linger",
    subject: note,
    data: { note },
  });

beforeAll(async () => {
  watch = await watchEvents(["diagnostics"]);
}, 60_000);
afterAll(() => watch?.stop());

describe("a lingering publisher", () => {
  it("sends what was published while it lingered, also when it is told to disconnect", async () => {
    // Long enough that the disconnect surely comes while the first send lingers.
    const publisher = new EventPublisher(createKafka("linger-test"), undefined, 5_000);
    await publisher.connect();
    const events = [1, 2, 3].map((n) => ping(`linger-${n}-${randomUUID()}`));
    const published = Promise.allSettled(events.map((event) => publisher.publish([event])));
    // Each publish waits for connect() before it joins the lingering send.
    await new Promise((resolve) => setImmediate(resolve));
    // Refused, had the send waited out its linger for a producer already disconnected.
    await publisher.disconnect();
    expect((await published).map((p) => p.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    for (const event of events) await watch.waitFor((e) => e.id === event.id);
  });
});
