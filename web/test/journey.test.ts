// The whole journey in a real browser (Debian's Chromium, headless) against the running
// platform: a creator signs up, makes a channel, copies the stream key and schedules an event;
// ffmpeg publishes to the key; a viewer finds the event by a word of its title, subscribes, hears
// "live now" in the bell without reloading, watches it play and is counted; the creator sees the
// viewer on the dashboard's chart. Screenshots: .data/screenshots/{home,watch,dashboard}.png; the
// timings a person feels (home's first paint, the watch page's first live frame) are printed and
// kept in .data/screenshots/journey-timings.json.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serviceUrls } from "@stream-platform/shared";
import { api, publishTestPattern } from "@stream-platform/shared/testing";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const edge = serviceUrls().edgeUrl;
const shots = join(import.meta.dirname, "..", "..", ".data", "screenshots");
// Page-side code as functions (the page's CSP refuses strings to evaluate); this file is
// type-checked for Node, so the DOM is described as far as used.
type PageGlobals = { document: { querySelector(s: string): { currentTime: number } | null } };
const playedPast = (seconds: number) =>
  ((globalThis as unknown as PageGlobals).document.querySelector("video")?.currentTime ?? 0) >
  seconds;
const videoTime = () =>
  (globalThis as unknown as PageGlobals).document.querySelector("video")?.currentTime ?? 0;

type TimingGlobals = {
  firstFrameAt?: number;
  document: { addEventListener(type: string, listener: () => void, capture: boolean): void };
  performance: { now(): number; getEntriesByName(name: string): { startTime: number }[] };
};
// Issue #24's budget, reported (not asserted: the machine is shared and noisy; a timed assertion
// would fail for reasons of its neighbours).
const FIRST_LIVE_FRAME_BUDGET_MS = 1500;

let browser: Browser;
let ffmpeg: ChildProcess | undefined;
const consoleErrors: string[] = [];

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  return page;
}

/** Signs up through the form; the password it chose. */
async function signUp(page: Page, name: string): Promise<string> {
  const password = `pw-${randomBytes(8).toString("hex")}`;
  await page.goto(`${edge}/account?mode=up`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(`${name}-${randomBytes(5).toString("hex")}@example.org`);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("link", { name }).waitFor();
  return password;
}

/** What a failed wait leaves to look at: a screenshot, the player's state, console errors. */
async function diagnose(page: Page): Promise<string> {
  await page.screenshot({ path: join(shots, "failure.png") }).catch(() => undefined);
  const state = await page.evaluate(() => {
    const w = globalThis as unknown as { playerError?: string; hls?: { levels: unknown[] } };
    return { error: w.playerError, levels: w.hls?.levels.length };
  });
  return `at ${page.url()}: ${JSON.stringify(state)}; console errors: ${JSON.stringify(consoleErrors)}`;
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // Autoplay without a click, as a muted video may anyway.
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
  });
});

afterAll(async () => {
  ffmpeg?.kill("SIGKILL");
  await browser?.close();
});

describe("web app journey", () => {
  it("creator to viewer: schedule, go live, find, subscribe, get notified, watch, be counted", async () => {
    const word = `zebra${randomBytes(4).toString("hex")}`;
    const creator = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      permissions: ["clipboard-read", "clipboard-write"],
    });
    const viewer = await browser.newContext({ viewport: { width: 1280, height: 900 } });

    // The creator: account, channel, stream key (hidden until asked, then copied), an event.
    const studio = await newPage(creator);
    await signUp(studio, "creator");
    await studio.getByRole("link", { name: "Dashboard" }).click();
    await studio.getByLabel("Title").fill(`Channel ${word}`);
    await studio.getByLabel(/Address/).fill(`ch-${word}`);
    await studio.getByRole("button", { name: "Create channel" }).click();
    await expect(studio.getByTestId("stream-key").count()).resolves.toBe(0);
    await studio.getByRole("button", { name: "Show stream key" }).click();
    const key = await studio.getByTestId("stream-key").inputValue();
    expect(key.length).toBeGreaterThan(16);
    await studio.getByRole("button", { name: "Copy" }).click();
    expect(await studio.evaluate("navigator.clipboard.readText()")).toBe(key);
    await studio.getByRole("button", { name: "Hide" }).click();
    await studio.getByRole("button", { name: "Schedule an event" }).click();
    const title = `Launch party ${word}`;
    await studio.getByLabel("Title", { exact: true }).fill(title);
    await studio.getByLabel(/Tags/).fill("space, launch");
    await studio.getByRole("button", { name: "Schedule", exact: true }).click();
    await studio.getByRole("link", { name: title }).waitFor();

    // The viewer: finds it by one word of its title, subscribes to the channel.
    const home = await newPage(viewer);
    await signUp(home, "viewer");
    await home.getByLabel("Search events").fill(word);
    // Indexing goes through Kafka: search again until the event is found (as a person would).
    for (let attempt = 0; ; attempt++) {
      await home.getByLabel("Search events").press("Enter");
      const found = await home
        .getByRole("heading", { name: title })
        .waitFor({ timeout: 2000 })
        .then(
          () => true,
          () => false,
        );
      if (found) break;
      if (attempt === 15) throw new Error(`"${word}" was not found by search within 30 s`);
      await home.reload();
    }
    await home.getByRole("link", { name: title }).click();
    await home.getByRole("button", { name: "Subscribe" }).click();
    await home.getByRole("button", { name: "Subscribed" }).waitFor();

    // ffmpeg publishes: the event goes live, and the bell says so without a reload.
    ffmpeg = publishTestPattern(key).process;
    await home.getByTestId("unread-count").waitFor({ timeout: 30_000 });
    await home.getByRole("button", { name: /Notifications, 1 unread/ }).click();
    await home.getByRole("link", { name: `Channel ${word} is live: ${title}` }).click();

    // It plays (currentTime advancing), and the viewer is counted.
    await home.waitForFunction(playedPast, 0, { timeout: 45_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await diagnose(home)}`);
    });
    const started = await home.evaluate(videoTime);
    await home.waitForFunction(playedPast, started + 2, { timeout: 20_000 });
    await expect(home.getByText("LIVE", { exact: false }).first().isVisible()).resolves.toBe(true);
    await home.getByTestId("viewer-count").filter({ hasText: "1 viewer" }).waitFor({
      timeout: 45_000,
    });
    await home.screenshot({ path: join(shots, "watch.png") });

    // The creator's dashboard charts the viewer.
    await studio
      .getByTestId("chart-latest")
      .filter({ hasText: /^1$/ })
      .waitFor({ timeout: 45_000 });
    await studio.screenshot({ path: join(shots, "dashboard.png"), fullPage: true });

    // Timings a person feels, from opening a page (the navigation's start) to: the home page's
    // first contentful paint, and the watch page's first live frame (its video's first
    // `playing`), the median of three openings (one alone says more about the machine's
    // neighbours at that moment than about the page).
    const liveFrames: number[] = [];
    for (let opening = 0; opening < 3; opening++) {
      const opened = await newPage(viewer);
      await opened.addInitScript(() => {
        const page = globalThis as unknown as TimingGlobals;
        page.document.addEventListener(
          "playing",
          () => {
            page.firstFrameAt ??= page.performance.now();
          },
          true,
        );
      });
      await opened.goto(home.url());
      liveFrames.push(
        await opened
          .waitForFunction(() => (globalThis as unknown as TimingGlobals).firstFrameAt, undefined, {
            timeout: 30_000,
          })
          .then((handle) => handle.jsonValue() as Promise<number>),
      );
      await opened.close();
    }
    const firstLiveFrame = [...liveFrames].sort((a, b) => a - b)[1] as number;

    const front = await newPage(viewer);
    await front.goto(edge);
    // Live now lists the live events (older test runs may have left others ahead of ours).
    await front.getByRole("region", { name: "Live now" }).getByRole("listitem").first().waitFor();
    // Every shelf loaded (a notice, such as "confirm your address", is a status too).
    await front.waitForFunction(
      () =>
        !(
          globalThis as unknown as { document: { querySelector(s: string): unknown } }
        ).document.querySelector('[aria-busy="true"]'),
    );
    await front.screenshot({ path: join(shots, "home.png"), fullPage: true });
    const homeFirstPaint = await front.evaluate(
      () =>
        (globalThis as unknown as TimingGlobals).performance.getEntriesByName(
          "first-contentful-paint",
        )[0]?.startTime ?? Number.NaN,
    );
    const timings = {
      "home: first contentful paint": homeFirstPaint,
      "watch: first live frame after opening (median of 3)": firstLiveFrame,
    };
    console.log(
      `journey timings (budget: first live frame <= ${FIRST_LIVE_FRAME_BUDGET_MS} ms):\n${Object.entries(
        timings,
      )
        .map(([name, ms]) => `  ${name}: ${Math.round(ms)} ms`)
        .join(
          "\n",
        )}\n  (the three openings: ${liveFrames.map((ms) => Math.round(ms)).join(", ")} ms)`,
    );
    writeFileSync(join(shots, "journey-timings.json"), `${JSON.stringify(timings, null, 2)}\n`);

    expect(consoleErrors).toEqual([]);
  }, 300_000);

  it("deletes an account: its password asked again, then signed out, the old session refused", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const password = await signUp(page, "leaver");
    const session = (await context.cookies()).find((c) => c.name === "session")?.value;
    expect(session).toBeDefined();
    await page.goto(`${edge}/account`);
    await page.getByText("Delete account", { exact: true }).click();
    await page.getByLabel("Your password").fill("not the password");
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.getByText("does not match").first().waitFor();
    await page.getByLabel("Your password").fill(password);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    expect((await api("/api/me", { token: session })).status).toBe(401);
    await context.close();
  }, 60_000);
});
