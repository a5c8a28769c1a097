// The chat's rules, pure (tested with values in test/unit/): what a message may be, who may post
// in a room and when (bans and timeouts, followers-only, blocked words, slow mode), who may
// moderate, and where a message sits in the recording.
import { escapeRegExp } from "@stream-platform/shared";

/** The most a message may hold, in characters (code points: an emoji is one). */
export const MAX_MESSAGE_CHARACTERS = 500;

export interface RoomRules {
  /** One message per this many seconds per person (0: off). */
  slowModeSeconds: number;
  followersOnly: boolean;
  /** Links shown as links (otherwise as plain text). */
  linksAllowed: boolean;
  blockedWords: string[];
}

export const DEFAULT_RULES: RoomRules = {
  slowModeSeconds: 0,
  followersOnly: false,
  linksAllowed: false,
  blockedWords: [],
};

export interface Ban {
  reason: string;
  /** Absent: until lifted; else a timeout. */
  until?: Date;
}

/** What is known of a person about to post. */
export interface Poster {
  /** The channel's owner or one of its moderators: slow mode and followers-only do not apply. */
  moderates: boolean;
  follows: boolean;
  ban?: Ban;
  lastPostAt?: Date;
}

/** Why a post is refused: an HTTP status with a reason the person is shown. */
export interface Refusal {
  status: 400 | 403 | 429;
  reason: string;
  /** The field at fault (400). */
  field?: string;
  /** Seconds until trying again helps (timeouts, slow mode). */
  retryAfter?: number;
}

// C0 and C1 controls but the newline, and the bidirectional overrides that make text display
// other than it reads.
const INVISIBLE = /(?!\n)[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;

/** A message's text as stored: NFC, without control characters, trimmed; or a refusal. */
export function cleanText(raw: string): { text: string } | Refusal {
  const text = raw.normalize("NFC").replace(INVISIBLE, "").trim();
  if (text.length === 0) return { status: 400, field: "text", reason: "the message is empty" };
  const characters = [...text].length;
  if (characters > MAX_MESSAGE_CHARACTERS)
    return {
      status: 400,
      field: "text",
      reason: `at most ${MAX_MESSAGE_CHARACTERS} characters (this has ${characters})`,
    };
  return { text };
}

const fold = (s: string) => s.normalize("NFKC").toLocaleLowerCase("und");

/**
 * The first blocked word (or phrase) the text contains as a whole word, ignoring case and
 * compatibility forms (fullwidth letters, ligatures): "Spam!" matches "spam", "spammer" does not.
 */
export function blockedWordIn(text: string, blockedWords: string[]): string | undefined {
  const folded = fold(text);
  return blockedWords.find((word) => {
    const w = fold(word.trim());
    if (!w) return false;
    return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(w)}(?![\\p{L}\\p{N}])`, "u").test(folded);
  });
}

/** Seconds left of a slow-mode wait (0: may post now). */
export function slowModeWait(rules: RoomRules, lastPostAt: Date | undefined, now: Date): number {
  if (rules.slowModeSeconds <= 0 || !lastPostAt) return 0;
  const left = lastPostAt.getTime() + rules.slowModeSeconds * 1000 - now.getTime();
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

/** Whether a ban still holds (a timeout runs out). */
export const banHolds = (ban: Ban | undefined, now: Date): ban is Ban =>
  ban !== undefined && (ban.until === undefined || ban.until.getTime() > now.getTime());

/** Whether `text` may be posted by `poster` under `rules` now: null, or why not. */
export function checkPost(
  rules: RoomRules,
  poster: Poster,
  text: string,
  now: Date,
): Refusal | null {
  if (banHolds(poster.ban, now)) {
    const { reason, until } = poster.ban;
    return until
      ? {
          status: 403,
          reason: `timed out until ${until.toISOString()}: ${reason}`,
          retryAfter: Math.ceil((until.getTime() - now.getTime()) / 1000),
        }
      : { status: 403, reason: `banned from this channel's chat: ${reason}` };
  }
  if (rules.followersOnly && !poster.moderates && !poster.follows)
    return {
      status: 403,
      reason: "this chat is for the channel's followers only: follow it first",
    };
  const blocked = blockedWordIn(text, rules.blockedWords);
  if (blocked !== undefined)
    return {
      status: 400,
      field: "text",
      reason: "the message contains a word this channel blocks",
    };
  if (!poster.moderates) {
    const wait = slowModeWait(rules, poster.lastPostAt, now);
    if (wait > 0)
      return {
        status: 429,
        reason: `slow mode: one message every ${rules.slowModeSeconds} s; wait ${wait} s`,
        retryAfter: wait,
      };
  }
  return null;
}

/** The channel's owner and the moderators they named may moderate its chat. */
export const canModerate = (userId: string, ownerId: string, moderators: Iterable<string>) =>
  userId === ownerId || [...moderators].includes(userId);

/** The end of a ban of `minutes` from now (a timeout), or none (until lifted). */
export const banUntil = (now: Date, minutes?: number) =>
  minutes === undefined ? undefined : new Date(now.getTime() + minutes * 60_000);

/**
 * Seconds into the stream (and so into its recording) at which a message was sent: none before
 * the stream started; tenths of a second.
 */
export function offsetSeconds(sentAt: Date, streamStartedAt: Date | undefined): number | undefined {
  if (!streamStartedAt) return undefined;
  const seconds = (sentAt.getTime() - streamStartedAt.getTime()) / 1000;
  return seconds < 0 ? undefined : Math.round(seconds * 10) / 10;
}

/** Whether a room takes messages: before and during its event, not once it ended or was cancelled. */
export const roomOpen = (status: string) => status === "scheduled" || status === "live";
