// The CloudEvents 1.0 attribute rules (core spec + JSON format), independent of any transport:
// HTTP and Kafka bindings turn what they receive into a plain attribute object and ask this
// module whether it is a CloudEvent. Checked against the conformance vectors in
// shared/test/conformance/cloudevents-json/.

import type { FieldProblem } from "../api/views.ts";

export type { FieldProblem };

/** A CloudEvent with its attributes checked. `data` is the decoded payload (JSON or text). */
export interface CloudEventV1 {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: unknown;
  /** Extension attributes (traceparent, partitionkey, …), in their canonical string form. */
  extensions: Record<string, string>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

const CORE = new Set([
  "specversion",
  "id",
  "source",
  "type",
  "subject",
  "time",
  "datacontenttype",
  "dataschema",
  "data",
  "data_base64",
]);

// RFC 3339 date-time: seconds required, optional fraction, Z or ±hh:mm with hh ≤ 23, mm ≤ 59.
const RFC3339 =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
// RFC 2046 media type: type "/" subtype, then parameters.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$/;
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

export function isRfc3339(value: string): boolean {
  return RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true; // JSON is the default for the JSON format
  const essence = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  // text/json is JSON's legacy type, which producers still send (sdk-go counts it as JSON too).
  return essence === "application/json" || essence === "text/json" || essence.endsWith("+json");
}

function requiredString(attrs: Record<string, unknown>, name: string, problems: FieldProblem[]) {
  const value = attrs[name];
  if (value === undefined || value === null) {
    problems.push({ field: name, detail: `the required attribute "${name}" is missing` });
  } else if (typeof value !== "string") {
    problems.push({ field: name, detail: `"${name}" must be a string` });
  } else if (value === "") {
    problems.push({ field: name, detail: `"${name}" must not be empty` });
  } else {
    return value;
  }
  return undefined;
}

function optionalString(attrs: Record<string, unknown>, name: string, problems: FieldProblem[]) {
  const value = attrs[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    problems.push({ field: name, detail: `"${name}" must be a string` });
    return undefined;
  }
  if (value === "") {
    problems.push({ field: name, detail: `"${name}" must not be empty when present` });
    return undefined;
  }
  return value;
}

/** Extension values are strings, booleans or 32-bit integers; on the wire they are strings. */
function extensionValue(
  name: string,
  value: unknown,
  problems: FieldProblem[],
): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) <= 2 ** 31) {
    return String(value);
  }
  problems.push({
    field: name,
    detail: `extension "${name}" must be a string, a boolean or an integer`,
  });
  return undefined;
}

/**
 * Checks an attribute object (as decoded from the JSON format, or assembled from binary-mode
 * headers with `data` already decoded) and returns the CloudEvent or every problem found.
 */
export function parseCloudEvent(input: unknown): Parsed<CloudEventV1> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return {
      ok: false,
      problems: [{ field: "event", detail: "a CloudEvent must be a JSON object" }],
    };
  }
  const attrs = input as Record<string, unknown>;
  const problems: FieldProblem[] = [];

  const specversion = requiredString(attrs, "specversion", problems);
  if (specversion !== undefined && specversion !== "1.0") {
    problems.push({
      field: "specversion",
      detail: `specversion "${specversion}" is not supported (only "1.0")`,
    });
  }
  const id = requiredString(attrs, "id", problems);
  const source = requiredString(attrs, "source", problems);
  const type = requiredString(attrs, "type", problems);
  const subject = optionalString(attrs, "subject", problems);
  const dataschema = optionalString(attrs, "dataschema", problems);
  const time = optionalString(attrs, "time", problems);
  if (time !== undefined && !isRfc3339(time)) {
    problems.push({ field: "time", detail: `"time" must be an RFC 3339 timestamp, got "${time}"` });
  }
  const datacontenttype = optionalString(attrs, "datacontenttype", problems);
  if (datacontenttype !== undefined && !MEDIA_TYPE.test(datacontenttype)) {
    problems.push({
      field: "datacontenttype",
      detail: `"${datacontenttype}" is not a media type (RFC 2046)`,
    });
  }

  let data = attrs.data;
  if ("data_base64" in attrs && attrs.data_base64 !== undefined && attrs.data_base64 !== null) {
    if ("data" in attrs && attrs.data !== undefined && attrs.data !== null) {
      problems.push({
        field: "data_base64",
        detail: `"data" and "data_base64" must not both be present`,
      });
    } else if (typeof attrs.data_base64 !== "string") {
      problems.push({ field: "data_base64", detail: `"data_base64" must be a base64 string` });
    } else {
      data = Buffer.from(attrs.data_base64, "base64");
    }
  }

  const extensions: Record<string, string> = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (CORE.has(name)) continue;
    if (!EXTENSION_NAME.test(name)) {
      problems.push({
        field: name,
        detail: `"${name}" is not a valid attribute name (lower-case letters and digits, at most 20)`,
      });
      continue;
    }
    if (value === null || value === undefined) continue;
    const text = extensionValue(name, value, problems);
    if (text !== undefined) extensions[name] = text;
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      specversion: "1.0",
      id: id as string,
      source: source as string,
      type: type as string,
      ...(subject !== undefined && { subject }),
      ...(time !== undefined && { time }),
      ...(datacontenttype !== undefined && { datacontenttype }),
      ...(dataschema !== undefined && { dataschema }),
      ...(data !== undefined && data !== null && { data }),
      extensions,
    },
  };
}

/** The JSON format of an event (structured mode), for HTTP bodies and batches. */
export function toStructured(event: CloudEventV1): Record<string, unknown> {
  const { extensions, data, ...attributes } = event;
  const body: Record<string, unknown> = { ...attributes, ...extensions };
  if (Buffer.isBuffer(data)) body.data_base64 = data.toString("base64");
  else if (data !== undefined) body.data = data;
  return body;
}
