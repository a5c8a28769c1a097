// What the HTTP API answers with, as the functions build it and the web app reads it: one
// definition for both sides. No imports: the browser's type-check reaches this file alone.
/** A field of the request that is wrong, and why: an entry of a problem+json `errors`. */
export interface FieldProblem {
  field: string;
  detail: string;
}

export type EventStatus = "scheduled" | "live" | "ended" | "cancelled";

export interface User {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
  /** Whether its owner opened the link mailed to this address (or reset the password by mail). */
  emailVerified: boolean;
}

/** A channel as anyone may see it (never its stream key). */
export interface Channel {
  id: string;
  ownerId: string;
  slug: string;
  title: string;
  description: string;
  createdAt: string;
}

/** A video event as clients see it: no internals (outbox, applied ids). */
export interface VideoEvent {
  id: string;
  channelId: string;
  ownerId: string;
  title: string;
  description: string;
  tags: string[];
  category?: string;
  startsAt: string;
  endsAt?: string;
  status: EventStatus;
  version: number;
  vodPath?: string;
  createdAt: string;
  updatedAt: string;
}

/** A chat message as clients see it (the chat API, its SSE gateway and the web app). */
export interface ChatMessage {
  id: string;
  eventId: string;
  channelId: string;
  userId: string;
  /** The author's display name when the message was sent. */
  author: string;
  text: string;
  sentAt: string;
  /** Seconds into the stream when it was sent: a recording replays it there. */
  offsetSeconds?: number;
}
