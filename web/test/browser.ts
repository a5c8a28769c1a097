// What the web app's Chromium tests share: Debian's Chromium (headless), pages at a desktop's and a
// phone's size, signed in by the session cookie signing in sets, and what went wrong in them.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { serviceUrls } from "@stream-platform/shared";
import { api, type TestUser } from "@stream-platform/shared/testing";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";

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
 * A page at `size`, signed in as `user` or signed out; uncaught errors in it land in `problems`
 * (a test expects none).
 */
export async function pageAs(
  browser: Browser,
  user: TestUser | undefined,
  size: Size,
  problems: string[],
): Promise<Page> {
  const context = await browser.newContext(SIZES[size]);
  if (user)
    await context.addCookies([
      { name: "session", value: user.token, url: edge, httpOnly: true },
      { name: "signed_in", value: "1", url: edge },
    ]);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`));
  return page;
}

/** A channel of `owner`, made through the API: its id and stream key. */
export async function newChannel(
  owner: TestUser,
  slug: string,
): Promise<{ id: string; slug: string; streamKey: string }> {
  const channel = await api<{ id: string; streamKey: string }>("/api/channels", {
    token: owner.token,
    body: { slug, title: `Channel ${slug}` },
  });
  if (channel.status !== 201) throw new Error(`channel: ${channel.status}`);
  return { ...channel.body, slug };
}

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
