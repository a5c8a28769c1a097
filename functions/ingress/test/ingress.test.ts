// Who may publish through the public edge: anyone a viewer heartbeat (a browser's player), only
// the platform's producers (the ingress token) anything else — and a refused request publishes
// nothing.
import { randomUUID } from "node:crypto";
import { type CloudEventV1, serviceUrls, toHttpBatch, toHttpBinary } from "@stream-platform/shared";
import {
  type EventWatch,
  ingressToken,
  postToIngress,
  watchEvents,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ce = `${serviceUrls().edgeUrl}/ce`;
let watch: EventWatch;

beforeAll(async () => {
  watch = await watchEvents(["streams", "viewer-activity"]);
});
afterAll(() => watch?.stop());

function streamStarted(channelId: string): CloudEventV1 {
  return {
    specversion: "1.0",
    id: randomUUID(),
    type: "streamplatform.stream.started",
    source: "/stream-server",
    subject: channelId,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data: { streamId: `str_${randomUUID()}`, channelId, startedAt: new Date().toISOString() },
    extensions: {},
  };
}

function heartbeat(): CloudEventV1 {
  const eventId = `evt_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
  return {
    specversion: "1.0",
    id: `hb_${randomUUID()}`,
    type: "streamplatform.viewer.heartbeat",
    source: "/web",
    subject: eventId,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data: {
      eventId,
      viewerId: "v-ingresstest01",
      sessionId: "s-ingresstest01",
      viewToken: "checked by the aggregator",
      position: 1,
      playedSeconds: 1,
      bufferingSeconds: 0,
    },
    extensions: {},
  };
}

describe("publishing through /ce", () => {
  it("refuses a stream event without the ingress token, or with a wrong one (401), and publishes nothing", async () => {
    const channelId = randomUUID();
    const forged = streamStarted(channelId);
    for (const authorization of [undefined, "Bearer not-the-token", `Bearer ${ingressToken()}x`]) {
      const { headers, body } = toHttpBinary(forged);
      const response = await fetch(ce, {
        method: "POST",
        headers: { ...headers, ...(authorization && { authorization }) },
        body,
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ errors: [{ field: "type" }] });
    }
    // A batch with one such event among heartbeats is refused whole.
    const mixed = toHttpBatch([heartbeat(), streamStarted(channelId)]);
    expect((await fetch(ce, { method: "POST", ...mixed })).status).toBe(401);

    // The same channel's next event, with the token, arrives; the forged one (same key, so the
    // same partition, sent before) never did.
    const genuine = streamStarted(channelId);
    expect(await postToIngress(genuine)).toBe(202);
    await watch.waitFor((e) => e.id === genuine.id);
    expect(watch.events.filter((e) => e.subject === channelId).map((e) => e.id)).toEqual([
      genuine.id,
    ]);
  });

  it("takes a viewer heartbeat from anyone", async () => {
    const beat = heartbeat();
    const { headers, body } = toHttpBinary(beat);
    expect((await fetch(ce, { method: "POST", headers, body })).status).toBe(202);
    await watch.waitFor((e) => e.id === beat.id);
  });
});
