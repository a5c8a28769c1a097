// Identifiers two parts of the platform must derive alike.
import { createHash } from "node:crypto";

/**
 * The id of the ad-hoc event created for a stream nobody scheduled, derived from the id of its
 * `stream.started` CloudEvent: the events function creates it (once, however often the event is
 * delivered) and stream-server, which chose that CloudEvent id, knows where to write its HLS.
 */
export function adHocEventId(streamStartedId: string): string {
  return `evt_${createHash("sha256").update(streamStartedId).digest("hex").slice(0, 20)}`;
}
