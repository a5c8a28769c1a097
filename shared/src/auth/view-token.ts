// View tokens: what a player is given before its beats count. A token binds a viewer id and a
// session (both chosen here, never by the client), an event and an expiry, signed with a key
// derived from JWT_SECRET (HMAC-SHA256), so any instance checks it without a lookup. Inventing
// viewers then costs a token each, and tokens are handed out at a rate per address, for events
// that are live or recorded only. A signed-in person's token also binds their user id (from the
// session, never from the client), which is how their viewing history knows its beats.
import { randomBytes } from "node:crypto";
import { readFields, signFields } from "./signed-token.ts";

export interface ViewGrant {
  viewerId: string;
  sessionId: string;
  eventId: string;
  /** Epoch seconds. */
  expiresAt: number;
  /** The signed-in person watching (their session's user), absent for an anonymous viewer. */
  userId?: string;
}

/** A page view's token lasts this long; a player asks again when it runs out. */
export const VIEW_TOKEN_TTL_SECONDS = 6 * 3600;
/** An expired token still names its viewer this long (the same person asking again). */
export const VIEWER_MEMORY_SECONDS = 30 * 86_400;

const PURPOSE = "streamplatform view token v1";
const anonymousId = (prefix: string) => `${prefix}-${randomBytes(12).toString("base64url")}`;

/**
 * A new grant for `eventId`; the viewer id carried over when the person had one, and the user id
 * of a signed-in person's session.
 */
export function viewGrant(
  eventId: string,
  now: number,
  viewerId?: string,
  userId?: string,
): ViewGrant {
  return {
    viewerId: viewerId ?? anonymousId("v"),
    sessionId: anonymousId("s"),
    eventId,
    expiresAt: Math.floor(now / 1000) + VIEW_TOKEN_TTL_SECONDS,
    ...(userId !== undefined && { userId }),
  };
}

/** `secret`: JWT_SECRET unless given (a test or a load generator signing as the platform). */
export function signViewToken(g: ViewGrant, secret?: string): string {
  const fields = [g.viewerId, g.sessionId, g.eventId, g.expiresAt];
  return signFields(PURPOSE, g.userId === undefined ? fields : [...fields, g.userId], secret);
}

/** The grant a token carries if its signature is ours (expired or not), else undefined. */
export function readViewToken(token: string): ViewGrant | undefined {
  const [viewerId, sessionId, eventId, expiresAt, userId] = readFields(PURPOSE, token) ?? [];
  if (
    typeof viewerId !== "string" ||
    typeof sessionId !== "string" ||
    typeof eventId !== "string" ||
    typeof expiresAt !== "number" ||
    (userId !== undefined && typeof userId !== "string")
  )
    return undefined;
  return { viewerId, sessionId, eventId, expiresAt, ...(userId !== undefined && { userId }) };
}

/** Whether `token` lets a beat of this viewer, session and event count at `now` (ms). */
export function permits(
  token: string,
  beat: { viewerId: string; sessionId: string; eventId: string },
  now: number,
  graceSeconds = 600,
): boolean {
  const g = readViewToken(token);
  return (
    g !== undefined &&
    g.viewerId === beat.viewerId &&
    g.sessionId === beat.sessionId &&
    g.eventId === beat.eventId &&
    g.expiresAt + graceSeconds >= now / 1000
  );
}
