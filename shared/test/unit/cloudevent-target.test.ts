// The typed CloudEvent dispatch, called with values (no server): each type reaches its handler
// with its own data, unknown types are left alone, batches stay together, order is kept.
import { describe, expect, it } from "vitest";
import { createEvent, type PlatformEvent } from "../../src/cloudevents/index.ts";
import { cloudEventTarget } from "../../src/hosting/cloudevent-target.ts";

const ping = (note: string) =>
  createEvent({
    type: "streamplatform.diagnostic.ping",
    source: "/test",
    subject: "probe",
    data: { note },
  });

const started = createEvent({
  type: "streamplatform.stream.started",
  source: "/test",
  subject: "stream-1",
  data: { streamId: "stream-1", channelId: "channel-1", startedAt: "2030-01-01T18:00:00Z" },
});

describe("cloudEventTarget", () => {
  it("hands each handler its own type's data, and ignores types nobody handles", async () => {
    const seen: string[] = [];
    const target = cloudEventTarget()
      .on("streamplatform.diagnostic.ping", async (event) => {
        seen.push(`ping ${event.data.note}`);
      })
      .on("streamplatform.stream.started", async (event) => {
        seen.push(`started ${event.data.channelId}`);
      });
    const ended = createEvent({
      type: "streamplatform.stream.ended",
      source: "/test",
      subject: "stream-1",
      data: { streamId: "stream-1", channelId: "channel-1", endedAt: "2030-01-01T19:00:00Z" },
    });
    await target.apply([ping("a"), started, ended]);
    expect(seen).toEqual(["ping a", "started channel-1"]);
    expect(target.types()).toEqual([
      "streamplatform.diagnostic.ping",
      "streamplatform.stream.started",
    ]);
  });

  it("applies a request's events in order, one after another, by default", async () => {
    const log: string[] = [];
    const target = cloudEventTarget().on("streamplatform.diagnostic.ping", async (event) => {
      log.push(`start ${event.data.note}`);
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`end ${event.data.note}`);
    });
    await target.apply([ping("1"), ping("2")]);
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2"]);
  });

  it("starts them together side by side", async () => {
    const log: string[] = [];
    const target = cloudEventTarget("side-by-side").on(
      "streamplatform.diagnostic.ping",
      async (event) => {
        log.push(`start ${event.data.note}`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`end ${event.data.note}`);
      },
    );
    await target.apply([ping("1"), ping("2")]);
    expect(log).toEqual(["start 1", "start 2", "end 1", "end 2"]);
  });

  it("gives a batch handler all its types' events of a request together", async () => {
    const batches: PlatformEvent[][] = [];
    const target = cloudEventTarget().onBatch(
      ["streamplatform.diagnostic.ping", "streamplatform.stream.started"],
      async (events) => {
        batches.push(events);
      },
    );
    await target.apply([ping("1"), started, ping("2")]);
    expect(batches.map((batch) => batch.map((event) => event.type))).toEqual([
      [
        "streamplatform.diagnostic.ping",
        "streamplatform.stream.started",
        "streamplatform.diagnostic.ping",
      ],
    ]);
  });

  it("fails the request when a handler fails (so it is retried)", async () => {
    const target = cloudEventTarget().on("streamplatform.diagnostic.ping", async () => {
      throw new Error("store down");
    });
    await expect(target.apply([ping("x")])).rejects.toThrow("store down");
  });

  it("refuses a second handler for one type", () => {
    const target = cloudEventTarget().on("streamplatform.diagnostic.ping", async () => {});
    expect(() => target.on("streamplatform.diagnostic.ping", async () => {})).toThrow(
      "has a handler already",
    );
    expect(() => target.onBatch(["streamplatform.diagnostic.ping"], async () => {})).toThrow(
      "has a handler already",
    );
  });
});
