// The CloudEvents JSON-format conformance vectors (conformance/cloudevents-json, copied from the
// CloudEvents project): every valid event parses, every invalid one is refused.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventsFromHttp, parseCloudEvent } from "../src/cloudevents/index.ts";

const vectors = join(dirname(fileURLToPath(import.meta.url)), "conformance", "cloudevents-json");

interface Vector {
  id: string;
  event?: unknown;
  batch?: unknown;
}

function load(file: string): Vector[] {
  return (JSON.parse(readFileSync(join(vectors, file), "utf8")) as { tests: Vector[] }).tests;
}

const batchHeaders = { "content-type": "application/cloudevents-batch+json" };

describe("CloudEvents JSON format conformance", () => {
  it.each(load("valid-events.json").map((v) => [v.id, v]))("accepts %s", (_, vector) => {
    const parsed = parseCloudEvent(vector.event);
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
  });

  it.each(load("invalid-events.json").map((v) => [v.id, v]))("refuses %s", (_, vector) => {
    const parsed = parseCloudEvent(vector.event);
    expect(parsed.ok).toBe(false);
  });

  it.each(load("valid-batches.json").map((v) => [v.id, v]))("accepts batch %s", (_, vector) => {
    const parsed = eventsFromHttp(batchHeaders, Buffer.from(JSON.stringify(vector.batch)));
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    expect(parsed.ok && parsed.value.length).toBe((vector.batch as unknown[]).length);
  });

  it.each(load("invalid-batches.json").map((v) => [v.id, v]))("refuses batch %s", (_, vector) => {
    const parsed = eventsFromHttp(batchHeaders, Buffer.from(JSON.stringify(vector.batch)));
    expect(parsed.ok).toBe(false);
  });
});
