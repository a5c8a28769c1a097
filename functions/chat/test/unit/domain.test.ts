// The chat's rules called with values (no server): what a message may hold, bans and timeouts,
// followers-only, blocked words, slow mode, who moderates, and offsets in the recording.
import { describe, expect, it } from "vitest";
import {
  banHolds,
  banUntil,
  blockedWordIn,
  canModerate,
  checkPost,
  cleanText,
  DEFAULT_RULES,
  MAX_MESSAGE_CHARACTERS,
  offsetSeconds,
  type Poster,
  type RoomRules,
  roomOpen,
  slowModeWait,
} from "../../src/domain.ts";

const now = new Date("2030-01-01T18:00:00Z");
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const viewer: Poster = { moderates: false, follows: false };
const rules = (change: Partial<RoomRules> = {}): RoomRules => ({ ...DEFAULT_RULES, ...change });

describe("message text", () => {
  it("keeps Unicode and emoji, counting characters rather than UTF-16 units", () => {
    const emoji = "🚀".repeat(MAX_MESSAGE_CHARACTERS);
    expect(cleanText(emoji)).toEqual({ text: emoji });
    expect(cleanText(`${emoji}🚀`)).toMatchObject({ status: 400, field: "text" });
    expect(cleanText("héllo wörld ✨ 日本語")).toEqual({ text: "héllo wörld ✨ 日本語" });
  });

  it("composes to NFC, trims, drops control and bidi-override characters but keeps newlines", () => {
    expect(cleanText("  e\u0301\u0000\u202e ok\nnext  ")).toEqual({ text: "é ok\nnext" });
  });

  it("refuses what is empty once cleaned", () => {
    expect(cleanText(" \u0007 \u202e ")).toMatchObject({ status: 400, field: "text" });
  });

  it("stores markup as the characters it is (rendering is text only)", () => {
    const xss = `<img src=x onerror="alert(1)"><script>alert(2)</script>`;
    expect(cleanText(xss)).toEqual({ text: xss });
  });
});

describe("blocked words", () => {
  it("match whole words, ignoring case and compatibility forms", () => {
    expect(blockedWordIn("This is SPAM!", ["spam"])).toBe("spam");
    expect(blockedWordIn("ｓｐａｍ here", ["spam"])).toBe("spam");
    expect(blockedWordIn("a spammer", ["spam"])).toBeUndefined();
    expect(blockedWordIn("buy cheap pills now", ["cheap pills"])).toBe("cheap pills");
    expect(blockedWordIn("naïve", ["naïve"])).toBe("naïve");
  });

  it("treat their characters literally", () => {
    expect(blockedWordIn("a+b", ["a+b"])).toBe("a+b");
    expect(blockedWordIn("aab", ["a+b"])).toBeUndefined();
    expect(blockedWordIn("anything", ["  "])).toBeUndefined();
  });
});

describe("who may post", () => {
  it("anyone, by default", () => {
    expect(checkPost(rules(), viewer, "hello", now)).toBeNull();
  });

  it("not a banned person, with the reason", () => {
    const refusal = checkPost(rules(), { ...viewer, ban: { reason: "spam" } }, "hi", now);
    expect(refusal).toMatchObject({ status: 403 });
    expect(refusal?.reason).toContain("spam");
    expect(refusal?.retryAfter).toBeUndefined();
  });

  it("not a timed-out person until the timeout ends", () => {
    const ban = { reason: "calm down", until: later(90) };
    expect(checkPost(rules(), { ...viewer, ban }, "hi", now)).toMatchObject({
      status: 403,
      retryAfter: 90,
    });
    expect(checkPost(rules(), { ...viewer, ban }, "hi", later(90))).toBeNull();
    expect(banHolds(ban, later(89))).toBe(true);
    expect(banHolds(ban, later(91))).toBe(false);
  });

  it("in followers-only mode, followers and moderators only", () => {
    const followersOnly = rules({ followersOnly: true });
    expect(checkPost(followersOnly, viewer, "hi", now)).toMatchObject({ status: 403 });
    expect(checkPost(followersOnly, { ...viewer, follows: true }, "hi", now)).toBeNull();
    expect(checkPost(followersOnly, { ...viewer, moderates: true }, "hi", now)).toBeNull();
  });

  it("nobody a blocked word, moderators neither", () => {
    const blocking = rules({ blockedWords: ["spam"] });
    expect(checkPost(blocking, viewer, "spam", now)).toMatchObject({ status: 400, field: "text" });
    expect(checkPost(blocking, { ...viewer, moderates: true }, "spam", now)).toMatchObject({
      status: 400,
    });
  });

  it("in slow mode, once per N seconds, saying how long to wait; moderators are exempt", () => {
    const slow = rules({ slowModeSeconds: 10 });
    expect(checkPost(slow, { ...viewer, lastPostAt: later(-4) }, "hi", now)).toMatchObject({
      status: 429,
      retryAfter: 6,
    });
    expect(checkPost(slow, { ...viewer, lastPostAt: later(-10) }, "hi", now)).toBeNull();
    expect(
      checkPost(slow, { moderates: true, follows: false, lastPostAt: now }, "hi", now),
    ).toBeNull();
    expect(slowModeWait(rules(), now, now)).toBe(0);
    expect(slowModeWait(slow, undefined, now)).toBe(0);
    expect(slowModeWait(slow, later(-9.5), now)).toBe(1);
  });

  it("a ban weighs more than anything else", () => {
    const all = rules({ followersOnly: true, slowModeSeconds: 30, blockedWords: ["spam"] });
    const poster = { ...viewer, ban: { reason: "gone" }, lastPostAt: now };
    expect(checkPost(all, poster, "spam", now)?.status).toBe(403);
    expect(checkPost(all, poster, "spam", now)?.reason).toContain("gone");
  });
});

describe("moderation", () => {
  it("is the owner's and their moderators'", () => {
    expect(canModerate("ada", "ada", [])).toBe(true);
    expect(canModerate("bob", "ada", ["bob"])).toBe(true);
    expect(canModerate("eve", "ada", ["bob"])).toBe(false);
  });

  it("a ban without minutes lasts until lifted; with them, it is a timeout", () => {
    expect(banUntil(now)).toBeUndefined();
    expect(banUntil(now, 10)).toEqual(later(600));
  });

  it("rooms take messages before and during their event only", () => {
    expect(["scheduled", "live", "ended", "cancelled"].map(roomOpen)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe("offsets in the recording", () => {
  it("are seconds since the stream started, in tenths, none before it or without one", () => {
    expect(offsetSeconds(later(12.345), now)).toBe(12.3);
    expect(offsetSeconds(now, now)).toBe(0);
    expect(offsetSeconds(later(-1), now)).toBeUndefined();
    expect(offsetSeconds(now, undefined)).toBeUndefined();
  });
});
