// Identifiers two parts of the platform must derive alike.
import { createHash } from "node:crypto";
import { z } from "zod";

/** What an event id looks like (scheduled or ad hoc), for parameters that name one. */
export const eventIdSchema = z.string().regex(/^evt_[a-z0-9]{8,40}$/, "not a valid event id");

/**
 * The id of the ad-hoc event created for a stream nobody scheduled, derived from the id of its
 * `stream.started` CloudEvent: the events function creates it (once, however often the event is
 * delivered) and stream-server, which chose that CloudEvent id, knows where to write its HLS.
 */
export function adHocEventId(streamStartedId: string): string {
  return `evt_${createHash("sha256").update(streamStartedId).digest("hex").slice(0, 20)}`;
}
