// A CloudEvent the platform accepts: a catalog type, a subject (the entity id, which is also the
// Kafka key, so events of one entity stay in order) and data that passes the type's schema.
import { randomUUID } from "node:crypto";
import { currentTraceparent } from "../observability/trace-context.ts";
import { catalog, type EventData, type EventType, isEventType } from "./catalog.ts";
import { type CloudEventV1, type FieldProblem, isJsonContentType, type Parsed } from "./format.ts";

/**
 * A platform event of type T; without T, the union of every catalog type keyed by `type`, so a
 * check of `event.type` narrows `data` (distributive: PlatformEvent<A | B> is one of the two).
 */
export type PlatformEvent<T extends EventType = EventType> = T extends EventType
  ? CloudEventV1 & { type: T; subject: string; data: EventData<T> }
  : never;

export function validatePlatformEvent(event: CloudEventV1): Parsed<PlatformEvent> {
  const problems: FieldProblem[] = [];
  if (!isEventType(event.type)) {
    problems.push({ field: "type", detail: `unknown event type "${event.type}"` });
  }
  if (event.subject === undefined) {
    problems.push({
      field: "subject",
      detail: `"subject" is required: it names the entity (and orders its events)`,
    });
  }
  if (!isJsonContentType(event.datacontenttype)) {
    problems.push({
      field: "datacontenttype",
      detail: `data must be JSON, not "${event.datacontenttype}"`,
    });
  }
  if (problems.length > 0 || !isEventType(event.type)) return { ok: false, problems };

  const result = catalog[event.type].data.safeParse(event.data);
  if (!result.success && event.data === undefined) {
    // Say what is missing, not what the schema compared: "expected object, received undefined".
    return {
      ok: false,
      problems: [
        {
          field: "data",
          detail: `the event has no data (in binary mode: an empty body); ${event.type} needs a JSON object`,
        },
      ],
    };
  }
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.map((issue) => ({
        field: ["data", ...issue.path.map(String)].join("."),
        detail: issue.message,
      })),
    };
  }
  return {
    ok: true,
    value: {
      ...event,
      type: event.type,
      subject: event.subject as string,
      data: result.data,
    } as PlatformEvent,
  };
}

export interface NewEvent<T extends EventType> {
  type: T;
  /** `/functions/<name>` or `/stream-server`. */
  source: string;
  subject: string;
  data: EventData<T>;
  /** W3C trace context of the work that caused this event (default: the current span's). */
  traceparent?: string;
  id?: string;
}

/** A new, valid platform event (throws if `data` does not fit its schema: a programming error). */
export function createEvent<T extends EventType>(spec: NewEvent<T>): PlatformEvent<T> {
  // Caused by the work being done now, unless told otherwise: the trace goes on through Kafka.
  const traceparent = spec.traceparent ?? currentTraceparent();
  const event: CloudEventV1 = {
    specversion: "1.0",
    id: spec.id ?? randomUUID(),
    source: spec.source,
    type: spec.type,
    subject: spec.subject,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data: spec.data,
    extensions: traceparent ? { traceparent } : {},
  };
  const checked = validatePlatformEvent(event);
  if (!checked.ok) {
    throw new Error(
      `invalid ${spec.type}: ${checked.problems.map((p) => `${p.field}: ${p.detail}`).join("; ")}`,
    );
  }
  return checked.value as PlatformEvent<T>;
}
