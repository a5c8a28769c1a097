// The chat in a real browser (Debian's Chromium, headless) against the running platform, through
// the edge: two people in one room see each other's messages live; markup is shown as text;
// links are links only where the channel allows them; a refused post says why (slow mode's wait,
// a ban's and a timeout's reason); a moderator's deletion leaves the other page; the owner names
// a moderator from the menu; the dashboard sets the rules, lifts a ban and shows the log; a
// recording replays its chat at each message's offset as the player seeks.
// Screenshots: .data/screenshots/chat-{desktop,phone,dashboard,live,replay}.png.
import { join } from "node:path";
import { serviceUrls } from "@stream-platform/shared";
import {
  api,
  liveStream,
  newUser,
  publishTestPattern,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import type { Browser, Page, Response } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserForFile, shots } from "./browser.ts";

const edge = serviceUrls().edgeUrl;

// Page-side code as functions (the page's CSP refuses strings to evaluate); this file is
// type-checked for Node, so the page's video is described as far as used.
interface PageVideo {
  currentTime: number;
  duration: number;
  paused: boolean;
  pause(): void;
}
const videoTime = () =>
  (
    globalThis as unknown as { document: { querySelector(s: string): PageVideo | null } }
  ).document.querySelector("video")?.currentTime ?? 0;
const playedPast = (seconds: number) => {
  const video = (
    globalThis as unknown as { document: { querySelector(s: string): PageVideo | null } }
  ).document.querySelector("video");
  return (video?.currentTime ?? 0) > seconds;
};
const seekTo = (seconds: number) => {
  const video = (
    globalThis as unknown as { document: { querySelector(s: string): PageVideo | null } }
  ).document.querySelector("video");
  if (!video) throw new Error("no video");
  video.pause();
  video.currentTime = seconds;
};
const duration = () =>
  (
    globalThis as unknown as { document: { querySelector(s: string): PageVideo | null } }
  ).document.querySelector("video")?.duration ?? 0;
const hasDuration = () => {
  const video = (
    globalThis as unknown as { document: { querySelector(s: string): PageVideo | null } }
  ).document.querySelector("video");
  return (video?.duration ?? 0) > 0;
};

let browser: Browser;
const problems: string[] = [];
const stops: (() => unknown)[] = [];

browserForFile(
  (launched) => {
    browser = launched;
  },
  async () => {
    for (const stop of stops) await stop();
  },
);

/** A page signed in as `user` (their session cookie, as signing in sets it), or signed out. */
async function pageAs(user: TestUser | undefined, width = 1280, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  if (user)
    await context.addCookies([
      { name: "session", value: user.token, url: edge, httpOnly: true },
      { name: "signed_in", value: "1", url: edge },
    ]);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`));
  // An alert would be markup run as script.
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
}

async function channelOf(owner: TestUser): Promise<{ id: string; streamKey: string }> {
  const created = await api<{ id: string; streamKey: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug("chat"), title: "Chat test" },
  });
  expect(created.status).toBe(201);
  return created.body;
}

const chat = (page: Page) => page.getByRole("list", { name: "Chat messages" });
const messageIn = (page: Page, text: string) =>
  chat(page).getByRole("listitem").filter({ hasText: text });

/**
 * Opens a watch page until its chat shows: a page that met a function being restarted (others
 * work on the same platform: 502, "try again") is reloaded, as a person would.
 */
async function openChat(page: Page, url: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await page.goto(url);
    // The chat panel's own heading (cards below the page, "More like this", may be titled "Chat …").
    const chat = page.getByRole("heading", { level: 2, name: /^Chat( replay)?$/ });
    const outcome = await Promise.race([
      chat.waitFor({ timeout: 60_000 }).then(
        () => "chat",
        () => "timeout",
      ),
      page
        .getByRole("alert")
        .filter({ hasText: /try again|unavailable/i })
        .waitFor({ timeout: 60_000 })
        .then(
          () => "retry",
          () => "timeout",
        ),
    ]);
    if (outcome === "chat") return;
    if (attempt === 5) throw new Error(`${url} kept failing: ${await page.textContent("main")}`);
  }
}

/** Waits until the page's chat follows the room live (generously: a loaded machine is slow). */
async function connected(page: Page): Promise<void> {
  await page
    .getByTestId("chat-connection")
    .filter({ hasText: "connected" })
    .waitFor({ timeout: 60_000 })
    .catch(async (error: Error) => {
      const state = await page.getByTestId("chat-connection").allTextContents();
      await page.screenshot({ path: join(shots, "chat-failure.png") });
      throw new Error(`${error.message}\nat ${page.url()}: ${JSON.stringify(state)}`);
    });
}

/**
 * Posts `text` and returns the chat function's answer. Sent again, as a person would: a post that
 * met a function being restarted (a 5xx: others work on the same platform), and one past the
 * per-person rate (429 "too many messages": this test types faster than anyone), once the wait
 * the answer names has passed.
 */
async function send(page: Page, text: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const answered = page.waitForResponse(
      (r) =>
        r.request().method() === "POST" && /\/api\/chat\/events\/[^/]+\/messages$/.test(r.url()),
      { timeout: 30_000 },
    );
    await page.getByRole("textbox", { name: "Chat message" }).fill(text);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const response = await answered;
    if (attempt === 5) return response;
    if (response.status() >= 500) continue;
    if (response.status() === 429 && (await response.text()).includes("too many messages")) {
      await page.waitForTimeout(1000 * Number(response.headers()["retry-after"] ?? 1));
      continue;
    }
    return response;
  }
}

/** Fails with what the page showed (its alerts, the post's answer) and a screenshot. */
async function showing(page: Page, error: Error, response: Response): Promise<never> {
  const alerts = await page.getByRole("alert").allTextContents();
  await page.screenshot({ path: join(shots, "chat-failure.png") });
  throw new Error(
    `${error.message}\nthe post was answered ${response.status()}: ${await response.text()}\nalerts: ${JSON.stringify(alerts)}`,
  );
}

/** Posts and waits until the message is shown in the page's chat (or fails with why it is not). */
async function say(page: Page, text: string): Promise<void> {
  const response = await send(page, text);
  await messageIn(page, text)
    .waitFor({ timeout: 15_000 })
    .catch((error: Error) => showing(page, error, response));
}

/** Posts and waits until the page shows the refusal saying `reason` (or fails with what it shows). */
async function refused(page: Page, text: string, reason: RegExp | string): Promise<void> {
  const response = await send(page, text);
  await page
    .getByRole("alert")
    .filter({ hasText: reason })
    .waitFor({ timeout: 15_000 })
    .catch((error: Error) => showing(page, error, response));
}

describe("chat in the web app", () => {
  it("live: two pages talk through the edge, markup stays text, refusals say why, a deletion reaches the other page", async () => {
    const owner = await newUser("Ada");
    const viewer = await newUser("Bob");
    const channel = await channelOf(owner);
    const event = await api<{ id: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId: channel.id,
        title: "Chat launch",
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(event.status).toBe(201);
    const watch = `${edge}/watch/${event.body.id}`;

    const studio = await pageAs(owner);
    const seat = await pageAs(viewer);
    const anonymous = await pageAs(undefined, 390, 844);
    for (const page of [studio, seat, anonymous]) await openChat(page, watch);
    await anonymous.getByRole("link", { name: "Sign in" }).last().waitFor();
    await expect(anonymous.getByRole("textbox", { name: "Chat message" }).count()).resolves.toBe(0);
    for (const page of [studio, seat, anonymous]) await connected(page);

    // Bob writes, everyone sees it live; Ada answers.
    await say(seat, "Hello from Bob 🚀");
    for (const page of [studio, anonymous])
      await messageIn(page, "Hello from Bob 🚀").waitFor({ timeout: 15_000 });
    await say(studio, "Welcome, Bob");
    await messageIn(seat, "Welcome, Bob").waitFor({ timeout: 15_000 });
    await expect(messageIn(seat, "Welcome, Bob").getByText("Ada").count()).resolves.toBe(1);

    // Markup is text: shown as typed, no element made of it, nothing run.
    const payload = "<img src=x onerror=alert(1)>";
    await say(seat, payload);
    for (const page of [studio, anonymous]) {
      await messageIn(page, payload).waitFor({ timeout: 15_000 });
      await expect(chat(page).locator("img").count()).resolves.toBe(0);
    }
    // Links: text while the channel does not allow them, then links that leak nothing.
    await say(seat, "see https://example.org/launch.");
    await messageIn(anonymous, "https://example.org/launch").waitFor({ timeout: 15_000 });
    await expect(chat(anonymous).getByRole("link").count()).resolves.toBe(0);
    const allow = await api(`/api/chat/channels/${channel.id}/settings`, {
      method: "PATCH",
      token: owner.token,
      body: { linksAllowed: true },
    });
    expect(allow.status).toBe(200);
    await openChat(anonymous, watch);
    const link = chat(anonymous).getByRole("link", { name: "https://example.org/launch" });
    await link.waitFor({ timeout: 15_000 });
    expect(await link.getAttribute("href")).toBe("https://example.org/launch");
    expect(await link.getAttribute("rel")).toBe("nofollow noopener noreferrer");
    await anonymous.screenshot({ path: join(shots, "chat-phone.png"), fullPage: true });

    // Slow mode: a message within the window after one's last is refused with the wait.
    const slow = await api(`/api/chat/channels/${channel.id}/settings`, {
      method: "PATCH",
      token: owner.token,
      body: { slowModeSeconds: 60 },
    });
    expect(slow.status).toBe(200);
    // Bob posted a moment ago: his next message is within the window, refused with the wait.
    await refused(seat, "too soon", /slow mode.*wait \d+ s/);
    await expect(messageIn(seat, "too soon").count()).resolves.toBe(0);

    // Ada deletes Bob's message from its menu: it leaves Bob's page and the phone's.
    const doomed = messageIn(studio, "Hello from Bob 🚀");
    await doomed.getByRole("button", { name: "Moderate the message from Bob" }).click();
    await doomed.getByRole("button", { name: "Delete message" }).click();
    for (const page of [seat, anonymous])
      await messageIn(page, "Hello from Bob 🚀").waitFor({ state: "detached", timeout: 15_000 });

    // She bans him with a reason; his next post is refused with it.
    const his = messageIn(studio, payload);
    await his.getByRole("button", { name: "Moderate the message from Bob" }).click();
    await his.getByRole("button", { name: "Ban", exact: true }).click();
    await his.getByLabel("Reason").fill("spoilers again");
    await his.getByRole("button", { name: "Ban Bob" }).click();
    await studio.getByRole("status").filter({ hasText: "Bob banned" }).waitFor();
    await refused(seat, "let me back", "spoilers again");
    await studio.screenshot({ path: join(shots, "chat-desktop.png") });

    // The dashboard: the rules (slow mode off, a blocked word) and the log of all the above.
    await studio.goto(`${edge}/dashboard`);
    const moderation = studio.getByRole("region", { name: "Chat moderation" });
    await moderation.getByLabel(/Slow mode/).fill("0");
    await moderation.getByLabel(/Blocked words/).fill("spoiler\nleak");
    await moderation.getByRole("button", { name: "Save rules" }).click();
    await moderation.getByText("Saved").waitFor();
    const rules = await api<{ slowModeSeconds: number; blockedWords: string[] }>(
      `/api/chat/channels/${channel.id}/settings`,
      { token: owner.token },
    );
    expect(rules.body.slowModeSeconds).toBe(0);
    expect(rules.body.blockedWords).toEqual(["spoiler", "leak"]);
    await moderation.getByRole("button", { name: "Lift the ban" }).click();
    const log = studio.getByRole("table", { name: "Moderation log" });
    await log.getByRole("row").filter({ hasText: "lifted the ban on" }).waitFor();
    for (const action of ["deleted a message by", "banned", "changed the rules"])
      await log.getByRole("row").filter({ hasText: action }).first().waitFor();
    await studio.screenshot({ path: join(shots, "chat-dashboard.png"), fullPage: true });

    // Unbanned, Bob may post again (slow mode is off), but not a blocked word.
    await openChat(seat, watch);
    await refused(seat, "no leak here", "a word this channel blocks");
    await say(seat, "thanks, sorry");

    // A timeout from the menu: 10 minutes, with its reason shown to him.
    await openChat(studio, watch);
    const again = messageIn(studio, "thanks, sorry");
    await again.getByRole("button", { name: "Moderate the message from Bob" }).click();
    await again.getByRole("button", { name: "Time out 10 min" }).click();
    await again.getByLabel("Reason").fill("cool off");
    await again.getByRole("button", { name: "Time out Bob" }).click();
    await studio.getByRole("status").filter({ hasText: "Bob timed out for 10 min" }).waitFor();
    await refused(seat, "one more", /timed out until .*cool off/);

    // Ada names Bob a moderator from the menu: his page then offers him the menu too.
    await again.getByRole("button", { name: "Moderate the message from Bob" }).click();
    await again.getByRole("button", { name: "Make moderator" }).click();
    await studio.getByRole("status").filter({ hasText: "Bob is a moderator" }).waitFor();
    await openChat(seat, watch);
    await messageIn(seat, "Welcome, Bob")
      .getByRole("button", { name: "Moderate the message from Ada" })
      .waitFor();

    expect(problems).toEqual([]);
  }, 180_000);

  it("replay: a recording shows its chat at each message's offset, following the player's seeks", async () => {
    const owner = await newUser("Ada");
    const viewer = await newUser("Bob");
    const channel = await channelOf(owner);
    // Long enough for a loaded machine; stopped (as OBS stops) once both messages are in.
    const publisher = publishTestPattern(channel.streamKey, { seconds: 180 });
    stops.push(() => publisher.process.kill("SIGKILL"));
    const live = await until("the stream to go live", () => liveStream(channel.id), 60_000, 200);
    const eventId = live.eventId;
    await until("the event to be live", async () => {
      const event = await api<{ status: string }>(`/api/events/${eventId}`);
      return event.body.status === "live" ? true : undefined;
    });

    // Bob chats while watching live: a message early on, another once 8 s more have played.
    const seat = await pageAs(viewer);
    await openChat(seat, `${edge}/watch/${eventId}`);
    await connected(seat);
    await seat.waitForFunction(playedPast, 0, { timeout: 45_000 });
    await say(seat, "early bird");
    const then = await seat.evaluate(videoTime);
    await seat.waitForFunction(playedPast, then + 8, { timeout: 45_000 });
    await say(seat, "late owl");
    await seat.screenshot({ path: join(shots, "chat-live.png") });

    // The stream ends and becomes a recording.
    publisher.process.kill("SIGINT");
    await publisher.exited;
    await until(
      "the recording",
      async () => {
        const event = await api<{ status: string; vodPath?: string }>(`/api/events/${eventId}`);
        return event.body.status === "ended" && event.body.vodPath ? true : undefined;
      },
      120_000,
      500,
    );
    const history = await api<{ items: { text: string; offsetSeconds?: number }[] }>(
      `/api/chat/events/${eventId}/messages?fromOffset=0&limit=500`,
    );
    const offset = (text: string) => {
      const found = history.body.items.find((m) => m.text === text)?.offsetSeconds;
      if (found === undefined) throw new Error(`no offset for "${text}"`);
      return found;
    };
    const early = offset("early bird");
    const late = offset("late owl");
    expect(late - early).toBeGreaterThanOrEqual(6);

    // The recording: nothing is shown before its time; seeking forward and back follows.
    const replay = await pageAs(undefined);
    await openChat(replay, `${edge}/watch/${eventId}`);
    await replay.getByRole("heading", { name: "Chat replay" }).waitFor();
    await expect(replay.getByRole("textbox", { name: "Chat message" }).count()).resolves.toBe(0);
    await replay.waitForFunction(hasDuration, undefined, { timeout: 45_000 });
    const shown = async (at: number, expected: string[]) => {
      await replay.evaluate(seekTo, at);
      const texts = chat(replay).getByRole("listitem").locator(".chat-text");
      await until(
        `the chat at ${at} s to be ${JSON.stringify(expected)}`,
        async () => {
          const now = await texts.allTextContents();
          return JSON.stringify(now) === JSON.stringify(expected) ? true : undefined;
        },
        15_000,
        100,
      );
    };
    // Offsets are wall-clock time; a loaded encoder can make the recording shorter than that,
    // so "between" stays inside it (its end shows everything).
    const end = await replay.evaluate(duration);
    const between = (early + Math.min(late, end - 1)) / 2;
    expect(between).toBeGreaterThan(early);
    if (early > 1) await shown(early / 2, []);
    await shown(between, ["early bird"]);
    await shown(late + 1, ["early bird", "late owl"]);
    await replay.screenshot({ path: join(shots, "chat-replay.png") });
    await shown(between, ["early bird"]);
    expect(problems).toEqual([]);
  }, 300_000);
});
