// What the web app's Chromium tests share: Debian's Chromium (headless), pages at a desktop's and a
// phone's size, signed in by the session cookie signing in sets, and what went wrong in them.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { serviceUrls } from "@stream-platform/shared";
import {
  api,
  liveStream,
  type Publisher,
  publishTestPattern,
  type TestUser,
  until,
} from "@stream-platform/shared/testing";
import {
  type Browser,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";

// Web tests have always found it here.
export { newChannel } from "@stream-platform/shared/testing";

export const edge = serviceUrls().edgeUrl;
export const shots = join(import.meta.dirname, "..", "..", ".data", "screenshots");

export const SIZES = {
  desktop: { viewport: { width: 1280, height: 900 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
} satisfies Record<string, BrowserContextOptions>;
export type Size = keyof typeof SIZES;

export async function launch(): Promise<Browser> {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
  });
}

/**
 * One Chromium for a test file: launched before its tests (`use` receives it), closed after them
 * once `cleanUp` (what the file itself leaves running, e.g. a publisher) has run.
 */
export function browserForFile(use: (browser: Browser) => void, cleanUp?: () => unknown): void {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
    use(browser);
  });
  afterAll(async () => {
    await cleanUp?.();
    await browser?.close();
  });
}

/**
 * A page at `size`, signed in as `user` or signed out; uncaught errors in it land in `problems`
 * (a test expects none). `options` add to the context's (permissions, say).
 */
export async function pageAs(
  browser: Browser,
  user: TestUser | undefined,
  size: Size,
  problems: string[],
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ ...SIZES[size], ...options });
  if (user)
    await context.addCookies([
      { name: "session", value: user.token, url: edge, httpOnly: true },
      { name: "signed_in", value: "1", url: edge },
    ]);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`));
  return page;
}

/**
 * A live playlist's hinted LL-HLS part that never came (its stream ended first) is answered
 * 404, which RFC 8216bis has players take in their stride; Chromium logs every failed load.
 */
const HINTED_PART = /\/hls\/[^/]+\/[^/]+\/part_\d+_\d+\.m4s$/;

/**
 * Sends the page's console errors to `problems` too, but for loads of hinted parts (above) and
 * of URLs `ignore` matches (a refusal a test asks for, say).
 */
export function consoleErrorsInto(page: Page, problems: string[], ignore?: RegExp): void {
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const url = message.location().url;
    if (HINTED_PART.test(url) || ignore?.test(url)) return;
    problems.push(`${page.url()}: ${message.text()}`);
  });
}

/** The element an input's aria-describedby names, and its text. */
async function description(field: Locator): Promise<string> {
  const id = await field.getAttribute("aria-describedby");
  expect(id).toBeTruthy();
  return (await field.page().locator(`[id="${id}"]`).textContent()) ?? "";
}

/** Waits until the field shows `message` as its error (and only then, as an invalid field). */
export async function expectFieldError(field: Locator, message: string): Promise<void> {
  await field.page().getByText(message, { exact: true }).waitFor();
  await expect(field.getAttribute("aria-invalid")).resolves.toBe("true");
  await expect(description(field)).resolves.toBe(message);
  // Said once: not again in a summary or an alert.
  await expect(field.page().getByText(message).count()).resolves.toBe(1);
}

/** A channel of `owner`, made through the API: its id and stream key. */

/**
 * An event of the channel, made through the API, hours ahead (so a stream of the channel makes
 * an event of its own, "Live now"); its id.
 */
export async function newEvent(owner: TestUser, channelId: string, title: string): Promise<string> {
  const event = await api<{ id: string }>("/api/events", {
    token: owner.token,
    body: { channelId, title, startsAt: new Date(Date.now() + 3 * 3_600_000).toISOString() },
  });
  if (event.status !== 201) throw new Error(`event: ${event.status} ${JSON.stringify(event.body)}`);
  return event.body.id;
}

// Page-side code as functions (the page's CSP refuses strings to evaluate); this file is
// type-checked for Node, so the DOM is described as far as used.
interface PageVideo {
  currentTime: number;
  paused: boolean;
  muted: boolean;
  volume: number;
}
interface PageGlobals {
  document: { querySelector(s: string): PageVideo | null; fullscreenElement: unknown };
  hls?: { url: string | null; levels: unknown[] };
  playerError?: string;
}

/**
 * The watch page's own parts: the player, the event's header and text, its chat; not the cards
 * below it ("More like this"), which have badges and viewer counts of their own.
 */
export const watchedEvent = (page: Page): Locator =>
  page.getByRole("main").locator("article.watch > :not(section.related)");

/** The watch page's video as it is now (page-side: for `page.evaluate`). */
export const videoState = () => {
  const { document, hls, playerError } = globalThis as unknown as PageGlobals;
  const video = document.querySelector("video");
  return {
    time: video?.currentTime ?? 0,
    paused: video?.paused ?? true,
    muted: video?.muted ?? false,
    volume: video?.volume ?? 0,
    fullscreen: Boolean(document.fullscreenElement),
    source: hls?.url ?? "",
    levels: hls?.levels.length ?? 0,
    error: playerError,
  };
};

const playedPast = (seconds: number) =>
  ((globalThis as unknown as PageGlobals).document.querySelector("video")?.currentTime ?? 0) >
  seconds;

/** Waits until the page's video plays: past half a second, then a second further on. */
export async function expectPlaying(page: Page): Promise<void> {
  await page.waitForFunction(playedPast, 0.5, { timeout: 45_000 }).catch(async (error: Error) => {
    const state = await page.evaluate(videoState).catch(() => undefined);
    const text = await page
      .locator("main")
      .textContent({ timeout: 1000 })
      .catch(() => "");
    await page.screenshot({ path: join(shots, "failure.png") }).catch(() => undefined);
    throw new Error(
      `${error.message}; at ${page.url()} the video is ${JSON.stringify(state)}, the page says ${JSON.stringify((text ?? "").slice(0, 300))} (failure.png)`,
    );
  });
  const { time } = await page.evaluate(videoState);
  await page.waitForFunction(playedPast, time + 1, { timeout: 20_000 });
}

/**
 * ffmpeg publishing to the channel, once the event its stream makes is live; and that event.
 * `seconds`: how long it streams before stopping by itself (a recording of about that length).
 */
export async function goLive(
  channel: { id: string; streamKey: string },
  seconds?: number,
): Promise<{ publisher: Publisher; eventId: string }> {
  const publisher = publishTestPattern(channel.streamKey, {
    size: "640x360",
    ...(seconds !== undefined && { seconds }),
  });
  const eventId = await until(
    "the stream's event to be live",
    async () => {
      const stream = await liveStream(channel.id);
      if (!stream?.startedAt) return undefined;
      const event = await api<{ status: string }>(`/api/events/${stream.eventId}`);
      return event.body.status === "live" ? stream.eventId : undefined;
    },
    60_000,
    250,
  ).catch((error: unknown) => {
    publisher.process.kill("SIGKILL");
    throw error;
  });
  return { publisher, eventId };
}
