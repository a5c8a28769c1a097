// Events emitted by the official CloudEvents SDKs — JavaScript, Python and Go — each sending the
// HTTP request itself, in binary and structured mode, with and without datacontenttype, are
// accepted at /ce (202) and reach Kafka. Without datacontenttype, structured mode's data is JSON
// by the JSON format's default, and binary mode has no Content-Type at all (Python and Go).
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { serviceUrls } from "@stream-platform/shared";
import { type EventWatch, ingressToken, watchEvents } from "@stream-platform/shared/testing";
import { CloudEvent, emitterFor, httpTransport, Mode } from "cloudevents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goSdkEmitter, pythonWithSdk } from "./fixtures/sdks.ts";

const run = promisify(execFile);
const ce = `${serviceUrls().edgeUrl}/ce`;
const TYPE = "streamplatform.diagnostic.ping";

interface Outcome {
  mode: "binary" | "structured";
  datacontenttype: boolean;
  id: string;
  /** The HTTP status, where the SDK reports it (the JS SDK's transport does not). */
  status?: number;
  body: string;
}

let watch: EventWatch;
beforeAll(async () => {
  watch = await watchEvents(["diagnostics"]);
});
afterAll(() => watch?.stop());

/** Every variant answered 202 and its event is on Kafka with its data. */
async function expectAccepted(outcomes: Outcome[], source: string, note: string): Promise<void> {
  expect(outcomes.map((o) => [o.mode, o.datacontenttype])).toEqual([
    ["binary", true],
    ["binary", false],
    ["structured", true],
    ["structured", false],
  ]);
  for (const outcome of outcomes) {
    // The body { accepted, ids } is the ingress's 202 answer; a refusal is a problem+json.
    expect({ ...outcome, body: JSON.parse(outcome.body) }).toMatchObject({
      ...(outcome.status !== undefined && { status: 202 }),
      body: { accepted: 1, ids: [outcome.id] },
    });
  }
  for (const outcome of outcomes) {
    const event = await watch.waitFor((e) => e.id === outcome.id);
    expect(event).toMatchObject({ type: TYPE, source, data: { note } });
  }
}

describe("the JavaScript SDK (cloudevents on npm)", () => {
  it("is accepted in both modes, with and without datacontenttype", async () => {
    const prefix = `js-${randomUUID()}`;
    const outcomes: Outcome[] = [];
    for (const mode of [Mode.BINARY, Mode.STRUCTURED]) {
      // The SDK's own transport sends the request (and reports the body, not the status).
      const emit = emitterFor(httpTransport(ce), { mode });
      for (const datacontenttype of [true, false]) {
        const id = `${prefix}-${mode}-${datacontenttype}`;
        const event = new CloudEvent({
          id,
          source: "/interop/js",
          type: TYPE,
          subject: "interop-js",
          ...(datacontenttype && { datacontenttype: "application/json" }),
          data: { note: "from the JS SDK" },
        });
        const response = (await emit(event, {
          headers: { authorization: `Bearer ${ingressToken()}` },
        })) as { body: string };
        outcomes.push({
          mode: mode === Mode.BINARY ? "binary" : "structured",
          datacontenttype,
          id,
          body: response.body,
        });
      }
    }
    await expectAccepted(outcomes, "/interop/js", "from the JS SDK");
  });
});

describe("the Python SDK (cloudevents on PyPI)", () => {
  let python: string;
  beforeAll(async () => {
    python = await pythonWithSdk();
  }, 600_000);

  it("is accepted in both modes, with and without datacontenttype", async () => {
    const script = join(import.meta.dirname, "fixtures", "python-sdk", "emit.py");
    const { stdout } = await run(python, [
      script,
      ce,
      ingressToken(),
      `py-${randomUUID()}`,
      "interop-python",
    ]);
    await expectAccepted(JSON.parse(stdout), "/interop/python", "from the Python SDK");
  });
});

describe("the Go SDK (github.com/cloudevents/sdk-go/v2)", () => {
  let emitter: string;
  beforeAll(async () => {
    emitter = await goSdkEmitter();
  }, 600_000);

  it("is accepted in both modes, with and without datacontenttype", async () => {
    const { stdout } = await run(emitter, [ce, ingressToken(), `go-${randomUUID()}`, "interop-go"]);
    await expectAccepted(JSON.parse(stdout), "/interop/go", "from sdk-go");
  });
});
