// The chat panel's pure rules: how text becomes text and links, which messages a recording shows
// at a position, and what a refused post tells the person.
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/api.ts";
import {
  type ChatMessage,
  merge,
  position,
  refusalText,
  segments,
  shownAt,
} from "../../src/chat/model.ts";

const message = (id: string, offsetSeconds?: number, sentAt = `2030-01-01T00:00:${id}Z`) =>
  ({
    id,
    eventId: "e",
    channelId: "c",
    userId: "u",
    author: "A",
    text: id,
    sentAt,
    offsetSeconds,
  }) as ChatMessage;

describe("chat text", () => {
  it("is one text segment while links are not allowed, markup included", () => {
    const text = "<img src=x onerror=alert(1)> https://example.org";
    expect(segments(text, false)).toEqual([{ text }]);
  });

  it("makes http(s) URLs links when allowed, leaving sentence punctuation and other schemes as text", () => {
    expect(
      segments("see https://example.org/a?b=1. or javascript:alert(1) or http://x.test)", true),
    ).toEqual([
      { text: "see " },
      { text: "https://example.org/a?b=1", href: "https://example.org/a?b=1" },
      { text: ". or javascript:alert(1) or " },
      { text: "http://x.test", href: "http://x.test/" },
      { text: ")" },
    ]);
  });
});

describe("chat replay", () => {
  it("shows the messages sent up to the player's position, none without an offset", () => {
    const all = [message("01", 0), message("02", 5.5), message("03", 12), message("04")];
    expect(shownAt(all, 0).map((m) => m.id)).toEqual(["01"]);
    expect(shownAt(all, 6).map((m) => m.id)).toEqual(["01", "02"]);
    expect(shownAt(all, 3600).map((m) => m.id)).toEqual(["01", "02", "03"]);
  });

  it("merges by id in time order and keeps the newest", () => {
    const held = [message("01"), message("03")];
    expect(merge(held, [message("02"), message("03")]).map((m) => m.id)).toEqual([
      "01",
      "02",
      "03",
    ]);
    expect(merge(held, [message("03")])).toBe(held);
    expect(merge(held, [message("04")], 2).map((m) => m.id)).toEqual(["03", "04"]);
  });

  it("writes positions as m:ss or h:mm:ss", () => {
    expect(position(65.9)).toBe("1:05");
    expect(position(3723)).toBe("1:02:03");
  });
});

describe("a refused post", () => {
  it("says the API's reason, with the wait when only Retry-After tells it", () => {
    const field = new ApiError(400, "Invalid request", "x", [
      { field: "text", detail: "the message is empty" },
    ]);
    expect(refusalText(field)).toBe("the message is empty");
    expect(
      refusalText(new ApiError(403, "Forbidden", "banned from this channel's chat: spam")),
    ).toBe("banned from this channel's chat: spam");
    expect(refusalText(new ApiError(429, "Too many requests", "too many messages", [], 3))).toBe(
      "too many messages (wait 3 s)",
    );
    expect(
      refusalText(
        new ApiError(
          429,
          "Too many requests",
          "slow mode: one message every 30 s; wait 12 s",
          [],
          12,
        ),
      ),
    ).toBe("slow mode: one message every 30 s; wait 12 s");
    expect(refusalText(new ApiError(401, "Unauthorized", ""))).toBe("Sign in to chat.");
  });
});
