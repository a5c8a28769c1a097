// The CloudEvents Kafka protocol binding, binary content mode: attributes in `ce_*` headers,
// the data as the record value, `content-type` for datacontenttype, key = subject.
import type { IHeaders, Message } from "kafkajs";
import { type CloudEventV1, isJsonContentType, type Parsed, parseCloudEvent } from "./format.ts";

export function toKafkaMessage(event: CloudEventV1): Message {
  const headers: IHeaders = {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
  };
  if (event.subject !== undefined) headers.ce_subject = event.subject;
  if (event.time !== undefined) headers.ce_time = event.time;
  if (event.dataschema !== undefined) headers.ce_dataschema = event.dataschema;
  for (const [name, value] of Object.entries(event.extensions)) headers[`ce_${name}`] = value;
  const contentType = event.datacontenttype ?? "application/json";
  headers["content-type"] = contentType;
  return {
    key: event.extensions.partitionkey ?? event.subject ?? null,
    headers,
    value: encodeData(event.data, contentType),
  };
}

export function encodeData(data: unknown, contentType: string): Buffer | null {
  if (data === undefined) return null;
  if (Buffer.isBuffer(data)) return data;
  if (isJsonContentType(contentType)) return Buffer.from(JSON.stringify(data));
  return Buffer.from(String(data));
}

function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** Reads a binary-mode record back into a checked CloudEvent. */
export function fromKafkaMessage(message: {
  headers?: IHeaders;
  value: Buffer | null;
}): Parsed<CloudEventV1> {
  const attrs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const lower = name.toLowerCase();
    const text = headerText(value);
    if (lower.startsWith("ce_")) attrs[lower.slice(3)] = text;
    else if (lower === "content-type") attrs.datacontenttype = text;
  }
  const decoded = decodeData(message.value, attrs.datacontenttype as string | undefined);
  if (!decoded.ok) return decoded;
  if (decoded.value !== undefined) attrs.data = decoded.value;
  return parseCloudEvent(attrs);
}

export function decodeData(value: Buffer | null, contentType: string | undefined): Parsed<unknown> {
  if (value === null || value.length === 0) return { ok: true, value: undefined };
  if (!isJsonContentType(contentType)) {
    return { ok: true, value: contentType?.startsWith("text/") ? value.toString("utf8") : value };
  }
  try {
    return { ok: true, value: JSON.parse(value.toString("utf8")) };
  } catch (error) {
    return {
      ok: false,
      problems: [{ field: "data", detail: `data is not valid JSON: ${(error as Error).message}` }],
    };
  }
}
