// Viewing history in Chromium (#26 item 1), at a desktop's and a phone's size: a signed-in person
// watches part of a recording (from a third of the way) and leaves; home then shows it under "Continue watching", opening
// it from there resumes near where they stopped, and the account page's History lists it and
// clears it, after which home no longer offers it. Screenshots: .data/screenshots/history-*.png.
import { join } from "node:path";
import {
  api,
  newUser,
  type Publisher,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import type { Browser, Page } from "playwright-core";
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
} from "./browser.ts";

let browser: Browser;
let publisher: Publisher | undefined;
const problems: string[] = [];

browserForFile(
  (launched) => {
    browser = launched;
  },
  () => publisher?.process.kill("SIGKILL"),
);

// Page-side (the CSP refuses strings to evaluate; each function is sent alone).
interface PageGlobals {
  document: { querySelector(s: string): { currentTime: number; duration: number } | null };
}
const seekTo = (seconds: number) => {
  const element = (globalThis as unknown as PageGlobals).document.querySelector("video");
  if (element) element.currentTime = seconds;
};
const playedPast = (seconds: number) =>
  ((globalThis as unknown as PageGlobals).document.querySelector("video")?.currentTime ?? 0) >
  seconds;
const hasDuration = () => {
  const element = (globalThis as unknown as PageGlobals).document.querySelector("video");
  return Boolean(element && Number.isFinite(element.duration) && element.duration > 0);
};
const durationOf = () =>
  (globalThis as unknown as PageGlobals).document.querySelector("video")?.duration ?? 0;

const lastViewToken = () =>
  (
    globalThis as unknown as { localStorage: { getItem(key: string): string | null } }
  ).localStorage.getItem("sp-view-token");

/** The person's entry of the event, once the platform has it at or past `position`. */
const entryAt = (user: TestUser, eventId: string, position: number) =>
  until(
    `the history entry at ${position} s or later`,
    async () => {
      const entry = await api<{ position: number; duration?: number }>(
        `/api/me/history/${eventId}`,
        { token: user.token },
      );
      return entry.status === 200 && entry.body.position >= position ? entry.body : undefined;
    },
    30_000,
    250,
  );

describe("viewing history in the web app", () => {
  it("continues a recording where the person stopped, and clears it", async () => {
    const owner = await newUser("history-owner");
    const channel = await newChannel(owner, uniqueSlug("history"));
    // A stream that stops by itself after 45 s: its recording is about that long (less on a
    // loaded machine, whose encoder falls behind).
    const live = await goLive(channel, 45);
    publisher = live.publisher;
    const { eventId } = live;
    await publisher.exited;
    const title = await until(
      "the recording",
      async () => {
        const event = await api<{ status: string; vodPath?: string; title: string }>(
          `/api/events/${eventId}`,
        );
        return event.body.status === "ended" && event.body.vodPath ? event.body.title : undefined;
      },
      120_000,
      500,
    );

    for (const size of Object.keys(SIZES) as Size[]) {
      const viewer = await newUser(`history-${size}`);
      const page: Page = await pageAs(browser, viewer, size, problems);
      // Nothing watched yet: home has no shelf to continue.
      await page.goto(`${edge}/`);
      await page.getByRole("region", { name: "Live now" }).waitFor();
      await expect(page.getByRole("region", { name: "Continue watching" }).count()).resolves.toBe(
        0,
      );

      // Watches from a third of the way for a couple of seconds, then leaves (the page's last
      // beacon): well before the end, which would count as finished.
      await page.goto(`${edge}/watch/${eventId}`);
      await expectPlaying(page);
      await page.waitForFunction(hasDuration, undefined, { timeout: 30_000 });
      const from = Math.floor((await page.evaluate(durationOf)) / 3);
      await page.evaluate(seekTo, from);
      await page.waitForFunction(playedPast, from + 2, { timeout: 30_000 });
      await page.goto(`${edge}/`);
      const stopped = await entryAt(viewer, eventId, from);
      expect(stopped.duration).toBeGreaterThan(stopped.position + 10);

      // Home, afresh: Continue watching offers it, with how far in.
      await page.reload();
      const shelf = page.getByRole("region", { name: "Continue watching" });
      const card = shelf.getByRole("link", { name: title });
      await card.waitFor();
      await expect(shelf.getByRole("progressbar").count()).resolves.toBe(1);
      // With the recording's poster, as every card has.
      await expect(shelf.locator("img.poster").getAttribute("src")).resolves.toMatch(
        new RegExp(`^/hls/${eventId}/poster-vod-small\\.jpg$`),
      );
      await page.screenshot({ path: join(shots, `history-home-${size}.png`) });

      // Opening it resumes near where they stopped, not from the start.
      await card.click();
      await page.waitForURL(`${edge}/watch/${eventId}`);
      await page.waitForFunction(playedPast, stopped.position - 1, { timeout: 45_000 });
      const resumed = (await page.evaluate(videoState)).time;
      expect(resumed).toBeGreaterThanOrEqual(stopped.position - 1);
      expect(resumed).toBeLessThan(stopped.position + 15);
      await page.screenshot({ path: join(shots, `history-resumed-${size}.png`) });

      // The account page lists it; Clear history empties it, and home offers nothing. (The
      // resumed visit's last beat, sent as the page is left, is in first: one stamped after the
      // clearing would rightly be history again.)
      await page.goto(`${edge}/account`);
      await entryAt(viewer, eventId, resumed);
      const history = page.getByRole("region", { name: "History" });
      await history.getByRole("link", { name: title }).waitFor();
      await page.screenshot({ path: join(shots, `history-account-${size}.png`) });
      await history.getByRole("button", { name: "Clear history" }).click();
      await history.getByText("Nothing watched yet").waitFor();
      const left = await api<{ items: unknown[] }>("/api/me/history", { token: viewer.token });
      expect(left.body.items, JSON.stringify(left.body.items)).toEqual([]);
      await page.goto(`${edge}/`);
      await page.getByRole("region", { name: "Live now" }).waitFor();
      await expect(page.getByRole("region", { name: "Continue watching" }).count()).resolves.toBe(
        0,
      );
      // Signing out forgets the browser's last view token, which names the person.
      expect(await page.evaluate(lastViewToken)).toBeTruthy();
      await page.goto(`${edge}/account`);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${edge}/`);
      expect(await page.evaluate(lastViewToken)).toBeNull();
      await page.context().close();
    }
    expect(problems).toEqual([]);
  }, 300_000);
});
