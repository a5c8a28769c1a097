// The CloudEvents HTTP protocol binding: binary mode (`ce-*` headers, data as the body),
// structured mode (`application/cloudevents+json`) and batch mode
// (`application/cloudevents-batch+json`).
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { HttpProblem } from "../http/problem.ts";
import {
  type CloudEventV1,
  type FieldProblem,
  type Parsed,
  parseCloudEvent,
  toStructured,
} from "./format.ts";
import { decodeData, encodeData } from "./kafka-binding.ts";

export const STRUCTURED = "application/cloudevents+json";
export const BATCH = "application/cloudevents-batch+json";

export type HttpMode = "binary" | "structured" | "batch";

/** Why a request body is not CloudEvents at all (vs. events with bad attributes). */
export class UnsupportedContentType extends Error {}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function essence(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export function modeOf(headers: IncomingHttpHeaders): HttpMode {
  const type = essence(header(headers, "content-type"));
  if (type === BATCH) return "batch";
  if (type === STRUCTURED) return "structured";
  if (header(headers, "ce-specversion") !== undefined) return "binary";
  if (type.startsWith("application/cloudevents"))
    throw new UnsupportedContentType(`unsupported CloudEvents format "${type}"`);
  throw new UnsupportedContentType(
    `not a CloudEvent: send ce-* headers (binary mode), or ${STRUCTURED} or ${BATCH}`,
  );
}

function parseJson(body: Buffer, field: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) };
  } catch (error) {
    return {
      ok: false,
      problems: [{ field, detail: `malformed JSON: ${(error as Error).message}` }],
    };
  }
}

function binaryAttributes(headers: IncomingHttpHeaders): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (!name.startsWith("ce-")) continue;
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    // Header values are percent-encoded where they are not printable ASCII.
    let decoded = value;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      // not percent-encoded: keep it as it came
    }
    attrs[name.slice(3)] = decoded;
  }
  const contentType = header(headers, "content-type");
  if (contentType !== undefined) attrs.datacontenttype = contentType;
  return attrs;
}

function prefixed(problems: FieldProblem[], index: number): FieldProblem[] {
  return problems.map((p) => ({ field: `[${index}].${p.field}`, detail: p.detail }));
}

/**
 * The body of a CloudEvents request: `rawBody`, where the host (or functions-framework's body
 * parsers, which skip a body without Content-Type: binary mode for an event without
 * datacontenttype, as the Go and Python SDKs send it) kept the bytes; else read here.
 */
export async function requestBody(
  req: IncomingMessage & { rawBody?: Buffer },
  limit = 1024 * 1024,
): Promise<Buffer> {
  if (req.rawBody !== undefined || req.readableEnded) return req.rawBody ?? Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new HttpProblem({
        status: 413,
        title: "Request body too large",
        detail: `at most ${limit} bytes are accepted`,
      });
    }
    chunks.push(chunk);
  }
  req.rawBody = Buffer.concat(chunks);
  return req.rawBody;
}

/**
 * Every CloudEvent in an HTTP request. Throws UnsupportedContentType when the request is not in
 * any CloudEvents mode; returns the problems when it is, but an event in it is invalid.
 */
export function eventsFromHttp(headers: IncomingHttpHeaders, body: Buffer): Parsed<CloudEventV1[]> {
  const mode = modeOf(headers);
  if (mode === "binary") {
    const attrs = binaryAttributes(headers);
    const data = decodeData(body, attrs.datacontenttype as string | undefined);
    if (!data.ok) return data;
    if (data.value !== undefined) attrs.data = data.value;
    const event = parseCloudEvent(attrs);
    return event.ok ? { ok: true, value: [event.value] } : event;
  }
  const json = parseJson(body, mode === "batch" ? "batch" : "event");
  if (!json.ok) return json;
  if (mode === "structured") {
    const event = parseCloudEvent(json.value);
    return event.ok ? { ok: true, value: [event.value] } : event;
  }
  if (!Array.isArray(json.value)) {
    return {
      ok: false,
      problems: [{ field: "batch", detail: "a batch must be a JSON array of CloudEvents" }],
    };
  }
  const events: CloudEventV1[] = [];
  const problems: FieldProblem[] = [];
  json.value.forEach((item, index) => {
    const event = parseCloudEvent(item);
    if (event.ok) events.push(event.value);
    else problems.push(...prefixed(event.problems, index));
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: events };
}

/** Headers and body to POST one event in binary mode (what Knative delivers to a sink). */
export function toHttpBinary(event: CloudEventV1): {
  headers: Record<string, string>;
  body: Buffer | null;
} {
  const contentType = event.datacontenttype ?? "application/json";
  const headers: Record<string, string> = {
    "ce-specversion": event.specversion,
    "ce-id": encodeHeader(event.id),
    "ce-source": encodeHeader(event.source),
    "ce-type": encodeHeader(event.type),
    "content-type": contentType,
  };
  if (event.subject !== undefined) headers["ce-subject"] = encodeHeader(event.subject);
  if (event.time !== undefined) headers["ce-time"] = event.time;
  if (event.dataschema !== undefined) headers["ce-dataschema"] = encodeHeader(event.dataschema);
  for (const [name, value] of Object.entries(event.extensions))
    headers[`ce-${name}`] = encodeHeader(value);
  return { headers, body: encodeData(event.data, contentType) };
}

/** Body of one event in structured mode. */
export function toHttpStructured(event: CloudEventV1): {
  headers: Record<string, string>;
  body: string;
} {
  return { headers: { "content-type": STRUCTURED }, body: JSON.stringify(toStructured(event)) };
}

/** Body of several events in batch mode (one request for many: what a batching sink takes). */
export function toHttpBatch(events: CloudEventV1[]): {
  headers: Record<string, string>;
  body: string;
} {
  return { headers: { "content-type": BATCH }, body: JSON.stringify(events.map(toStructured)) };
}

function encodeHeader(value: string): string {
  // Percent-encode what HTTP headers cannot carry (non-printable ASCII, non-ASCII, '%', '"').
  return value.replace(/[^\x20-\x7e]|[%"]/gu, (ch) => encodeURIComponent(ch));
}
