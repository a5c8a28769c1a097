// The chat's shapes (the chat API's views) and the pure rules of showing them: text split into
// plain text and, where the channel allows links, http(s) links; which messages a recording
// shows at a position; what a refused post tells the person.
import type { ChatMessage } from "@stream-platform/shared/api";
import { ApiError } from "../api.ts";

export type { ChatMessage };

export interface ChatSettings {
  slowModeSeconds: number;
  followersOnly: boolean;
  linksAllowed: boolean;
  /** The signed-in person is the channel's owner or one of its moderators. */
  canModerate: boolean;
  /** Moderators only. */
  blockedWords?: string[];
}

export interface ChatBan {
  userId: string;
  reason: string;
  /** A timeout's end; absent for a ban until lifted. */
  until?: string;
  bannedBy: string;
  bannedAt: string;
}

export interface LogEntry {
  actorId: string;
  action: string;
  targetUserId?: string;
  messageId?: string;
  detail: Record<string, unknown>;
  at: string;
}

export type Segment = { text: string } | { text: string; href: string };

// A URL runs to whitespace; punctuation that ends a sentence is not part of it.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'")\]}]+$/;

/**
 * A message's text as segments to render as text nodes: with links allowed, http and https URLs
 * become link segments (any other scheme stays text); otherwise it is one text segment.
 */
export function segments(text: string, linksAllowed: boolean): Segment[] {
  if (!linksAllowed) return [{ text }];
  const out: Segment[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, "");
    const start = match.index ?? 0;
    let href: string | undefined;
    try {
      const url = new URL(raw);
      if (url.protocol === "http:" || url.protocol === "https:") href = url.href;
    } catch {
      href = undefined;
    }
    if (!href) continue;
    if (start > at) out.push({ text: text.slice(at, start) });
    out.push({ text: raw, href });
    at = start + raw.length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/** A recording's messages up to the player's position (messages without an offset never). */
export const shownAt = (messages: ChatMessage[], seconds: number) =>
  messages.filter((m) => m.offsetSeconds !== undefined && m.offsetSeconds <= seconds);

/** Adds messages not yet held (by id), oldest first, keeping the last `keep`. */
export function merge(held: ChatMessage[], incoming: ChatMessage[], keep = 200): ChatMessage[] {
  const ids = new Set(held.map((m) => m.id));
  const fresh = incoming.filter((m) => !ids.has(m.id));
  if (fresh.length === 0) return held;
  return [...held, ...fresh].sort((a, b) => a.sentAt.localeCompare(b.sentAt)).slice(-keep);
}

/** What the person is told when a post is refused: the API's reason, and how long to wait. */
export function refusalText(error: unknown): string {
  if (!(error instanceof ApiError)) return "The message could not be sent.";
  if (error.status === 401) return "Sign in to chat.";
  const text = error.forField("text") || error.detail || error.title;
  // Slow mode's reason says how long already; a rate limit's says it only in Retry-After.
  if (error.status === 429 && error.retryAfter && !/\bwait\b/.test(text))
    return `${text} (wait ${error.retryAfter} s)`;
  return text;
}

/** "1:05", "1:02:03": a position in a recording. */
export function position(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}
