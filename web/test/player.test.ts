// The player (issue #24, item 11), walked in Chromium at a desktop's and a phone's size on a live
// stream and then on its recording: sound on where the browser allows it and a cue to unmute
// where it does not; "Auto" saying which quality plays; the quality menu in the same place live
// and recorded; one LIVE badge; the keyboard shortcuts (space/k, f, m, j/l, arrows), not taken
// from a field being typed in; a share button that copies the page's address; and (#25) live in
// low-latency mode, seeking 30 s back into the event and going live again.
// Screenshots: .data/screenshots/player-*.png.
import { join } from "node:path";
import {
  api,
  liveStream,
  newUser,
  type Publisher,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import type { Browser, Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  browserForFile,
  edge,
  expectPlaying,
  goLive,
  newChannel,
  pageAs,
  SIZES,
  type Size,
  shots,
  videoState,
  watchedEvent,
} from "./browser.ts";

let browser: Browser;
let publisher: Publisher | undefined;
const problems: string[] = [];
const SIZE_NAMES = Object.keys(SIZES) as Size[];

browserForFile(
  (launched) => {
    browser = launched;
  },
  () => publisher?.process.kill("SIGKILL"),
);

/**
 * What browsers do for a site the person has not used yet: refuse to play with sound until they
 * click, tap or press a key in the page (Chrome's default autoplay policy). Headless Chromium
 * ignores its --autoplay-policy switch and always lets pages play, so the page is given the
 * rule itself, told by the page's own trusted input events.
 */
function refuseSoundBeforeActivation() {
  // Page-side; this file is type-checked for Node, so the DOM is described as far as used.
  type Media = { muted: boolean };
  const page = globalThis as unknown as {
    HTMLMediaElement: { prototype: { play(this: Media): Promise<void> } };
    DOMException: new (message: string, name: string) => Error;
    addEventListener(
      type: string,
      listener: (e: { isTrusted: boolean }) => void,
      capture: boolean,
    ): void;
  };
  let used = false;
  for (const type of ["pointerdown", "keydown"])
    page.addEventListener(type, (e) => (used ||= e.isTrusted), true);
  const { prototype } = page.HTMLMediaElement;
  const play = prototype.play;
  prototype.play = function (this: Media) {
    if (this.muted || used) return play.call(this);
    return Promise.reject(new page.DOMException("sound needs a gesture", "NotAllowedError"));
  };
}

/** A page at `size` playing `path`, allowed to use the clipboard. */
async function watching(size: Size, path: string, { soundNeedsClick = false } = {}) {
  const page = await pageAs(browser, undefined, size, problems);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: edge });
  if (soundNeedsClick) await page.addInitScript(refuseSoundBeforeActivation);
  await page.goto(`${edge}${path}`);
  await expectPlaying(page);
  return page;
}

/** How far the quality menu's right edge sits from the player's. */
async function qualityInset(page: Page): Promise<number> {
  const player = await page.locator(".player").boundingBox();
  const menu = await page.getByLabel("Quality").boundingBox();
  if (!player || !menu) throw new Error("no player or no quality menu");
  return Math.round(player.x + player.width - (menu.x + menu.width));
}

/** Presses `key` with the focus outside any field, and waits until the video shows `expected`. */
async function press(page: Page, key: string, expected: (v: VideoState) => boolean, what: string) {
  await page.keyboard.press(key);
  const deadline = Date.now() + 5000;
  for (;;) {
    const state = await page.evaluate(videoState);
    if (expected(state)) return state;
    if (Date.now() > deadline)
      throw new Error(`${key}: expected ${what}, the video is ${JSON.stringify(state)}`);
    await page.waitForTimeout(50);
  }
}
type VideoState = Awaited<ReturnType<typeof videoState>>;

/** What the page's hls.js says of low latency: its mode, and the playlist's parts. */
const lowLatencyState = () => {
  type Details = { partList: unknown[] | null; canBlockReload: boolean };
  const { hls } = globalThis as unknown as {
    hls?: {
      lowLatencyMode: boolean;
      currentLevel: number;
      levels: { details?: Details }[];
    };
  };
  const details =
    hls?.levels[hls.currentLevel]?.details ?? hls?.levels.find((l) => l.details)?.details;
  return {
    lowLatencyMode: hls?.lowLatencyMode ?? false,
    parts: details?.partList?.length ?? 0,
    canBlockReload: details?.canBlockReload ?? false,
  };
};

/** Checks that the select's first option says which quality "Auto" plays. */
async function expectAutoSaysQuality(menu: Locator): Promise<void> {
  await menu
    .locator("option")
    .first()
    .filter({ hasText: /^Auto \(\d+p\)$/ })
    .waitFor({
      state: "attached",
      timeout: 15_000,
    });
}

describe("the player", () => {
  it("live and recorded: sound, quality, one LIVE badge, shortcuts, share", async () => {
    const owner = await newUser("player");
    const channel = await newChannel(owner, uniqueSlug("pl"));
    const live = await goLive(channel);
    publisher = live.publisher;
    const watchPath = `/watch/${live.eventId}`;
    const insets = new Map<Size, number>();

    for (const size of SIZE_NAMES) {
      const page = await watching(size, watchPath);
      const main = page.getByRole("main");
      // Sound on, no cue, where the browser lets a page play sound.
      expect((await page.evaluate(videoState)).muted).toBe(false);
      await expect(main.getByRole("button", { name: /unmute/i }).count()).resolves.toBe(0);
      // One LIVE badge (the heading's); the bar says only how far behind live this plays.
      await main.getByText(/^\d+\.\d s behind live$/).waitFor({ timeout: 15_000 });
      await expect(watchedEvent(page).getByText("LIVE", { exact: true }).count()).resolves.toBe(1);
      await expectAutoSaysQuality(main.getByLabel("Quality"));
      insets.set(size, await qualityInset(page));

      // Share: the page's address, copied (no share sheet in a desktop Linux Chromium).
      await main.getByRole("button", { name: "Share" }).click();
      await main.getByRole("status").filter({ hasText: "Link copied." }).waitFor();
      await expect(page.evaluate("navigator.clipboard.readText()")).resolves.toBe(
        `${edge}${watchPath}`,
      );

      // Shortcuts, from anywhere on the page but a field.
      await main.getByRole("heading", { level: 1 }).click();
      await press(page, "k", (v) => v.paused, "paused");
      await press(page, " ", (v) => !v.paused, "playing");
      await press(page, "m", (v) => v.muted, "muted");
      await press(page, "m", (v) => !v.muted, "sound on");
      await press(page, "f", (v) => v.fullscreen, "full screen");
      await press(page, "f", (v) => !v.fullscreen, "not full screen");
      // Typed into the search box, "k" is a letter, not a pause.
      await page.getByRole("combobox", { name: "Search events" }).fill("");
      await page.getByRole("combobox", { name: "Search events" }).press("k");
      await expect(
        page.getByRole("combobox", { name: "Search events" }).inputValue(),
      ).resolves.toBe("k");
      expect((await page.evaluate(videoState)).paused).toBe(false);
      await page.screenshot({ path: join(shots, `player-live-${size}.png`) });
      await page.context().close();
    }

    // Where a page may not play sound before a click: it plays muted and says how to unmute.
    for (const size of SIZE_NAMES) {
      const page = await watching(size, watchPath, { soundNeedsClick: true });
      expect((await page.evaluate(videoState)).muted).toBe(true);
      const cue = page.getByRole("button", { name: /unmute/i });
      await cue.waitFor();
      await page.screenshot({ path: join(shots, `player-muted-cue-${size}.png`) });
      await cue.click();
      await cue.waitFor({ state: "detached" });
      expect((await page.evaluate(videoState)).muted).toBe(false);
      await page.context().close();
    }

    // Low-latency HLS live, with the whole event to seek back in: 30 s back, playing on from
    // there, a button to go live again, and back at the live edge after it.
    const started = Date.parse((await liveStream(channel.id))?.startedAt ?? "");
    await until(
      "40 s of stream",
      () => (Date.now() - started > 40_000 ? true : undefined),
      60_000,
      500,
    );
    {
      const page = await watching("desktop", watchPath);
      const main = page.getByRole("main");
      expect(await page.evaluate(lowLatencyState)).toMatchObject({
        lowLatencyMode: true,
        canBlockReload: true,
        parts: expect.any(Number),
      });
      expect((await page.evaluate(lowLatencyState)).parts).toBeGreaterThan(0);
      const atEdge = (await page.evaluate(videoState)).time;
      await main.getByRole("heading", { level: 1 }).click();
      await press(page, "j", (v) => v.time < atEdge - 5, "10 s back");
      await press(page, "j", (v) => v.time < atEdge - 15, "20 s back");
      const back = await press(page, "j", (v) => v.time < atEdge - 25, "30 s back");
      const goLiveButton = main.getByRole("button", { name: "Go live" });
      await goLiveButton.waitFor({ timeout: 10_000 });
      // It plays on from there, in the DVR window.
      await page.waitForFunction((from) => {
        const { document } = globalThis as unknown as {
          document: { querySelector(s: string): { currentTime: number } };
        };
        return document.querySelector("video").currentTime > from + 1;
      }, back.time);
      await page.screenshot({ path: join(shots, "player-dvr-desktop.png") });
      await goLiveButton.click();
      await goLiveButton.waitFor({ state: "detached" });
      // hls.js updates its latency as the video plays on from the new position.
      await page.waitForFunction(() => {
        const { hls } = globalThis as unknown as {
          hls: { latency: number; targetLatency: number | null };
        };
        return hls.latency < (hls.targetLatency ?? 0) + 3;
      });
      expect((await page.evaluate(videoState)).time).toBeGreaterThan(atEdge);
      await page.context().close();
    }

    // The recording: the quality menu where it was live; no LIVE; seeking by the keyboard.
    // Long enough to seek 15 s into.
    publisher.process.kill("SIGINT");
    await publisher.exited;
    await until(
      "the recording",
      async () =>
        (await api<{ vodPath?: string }>(`/api/events/${live.eventId}`)).body.vodPath ?? undefined,
      60_000,
      500,
    );
    for (const size of SIZE_NAMES) {
      const page = await watching(size, watchPath);
      const main = page.getByRole("main");
      expect((await page.evaluate(videoState)).source).toMatch(/\/vod\.m3u8$/);
      await expect(watchedEvent(page).getByText("LIVE", { exact: true }).count()).resolves.toBe(0);
      await expectAutoSaysQuality(main.getByLabel("Quality"));
      expect(await qualityInset(page)).toBe(insets.get(size));

      await main.getByRole("heading", { level: 1 }).click();
      await press(page, "k", (v) => v.paused, "paused");
      // From 3 s in, wherever it got to by now: the recording is some 30 s long.
      await page.evaluate(() => {
        const { document } = globalThis as unknown as {
          document: { querySelector(s: string): { currentTime: number } };
        };
        document.querySelector("video").currentTime = 3;
      });
      const at = (await press(page, "l", (v) => Math.abs(v.time - 13) < 0.5, "10 s ahead")).time;
      await press(page, "ArrowRight", (v) => Math.abs(v.time - (at + 5)) < 0.5, "5 s ahead");
      await press(page, "ArrowLeft", (v) => Math.abs(v.time - at) < 0.5, "5 s back");
      await press(
        page,
        "j",
        (v) => Math.abs(v.time - (at - 10)) < 0.5 || v.time < 0.5,
        "10 s back",
      );
      // Up and down set the volume once the player has the focus (else they scroll the page).
      await page.locator("video").focus();
      await press(page, "ArrowDown", (v) => v.volume < 0.95, "quieter");
      await press(page, "ArrowUp", (v) => v.volume > 0.95, "louder");
      await press(page, "k", (v) => !v.paused, "playing");
      await page.screenshot({ path: join(shots, `player-recording-${size}.png`) });
      await page.context().close();
    }
    expect(problems).toEqual([]);
  }, 300_000);
});
