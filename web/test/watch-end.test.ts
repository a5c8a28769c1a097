// The end of a live stream on the watch page (issue #24, item 1), in Chromium at a desktop's and
// a phone's size, both watching the same stream: when the publisher stops, the page says the
// stream has ended within seconds (no LIVE, no latency, no viewer count, no frozen video), then
// offers the recording once it is ready, which plays. Screenshots: .data/screenshots/ended-*.png.
import { join } from "node:path";
import { newUser, type Publisher, uniqueSlug } from "@stream-platform/shared/testing";
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
  watchedEvent,
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

describe("the watch page at the end of a stream", () => {
  it("says the stream ended within seconds, then offers the recording, which plays", async () => {
    const owner = await newUser("ender");
    const channel = await newChannel(owner, uniqueSlug("end"));
    const live = await goLive(channel);
    publisher = live.publisher;
    const { eventId } = live;

    const pages = new Map<Size, Page>();
    for (const size of Object.keys(SIZES) as Size[]) {
      const page = await pageAs(browser, undefined, size, problems);
      await page.goto(`${edge}/watch/${eventId}`);
      await expectPlaying(page);
      await page.getByText(/s behind/).waitFor();
      await watchedEvent(page).getByTestId("viewer-count").waitFor({ timeout: 15_000 });
      pages.set(size, page);
    }

    publisher.process.kill("SIGINT");
    await publisher.exited;
    const stopped = Date.now();
    for (const [size, page] of pages) {
      const main = page.getByRole("main");
      await main
        .getByRole("status")
        .filter({ hasText: "The stream has ended." })
        // The page looks every 2.5 s; the rest is the platform telling the events API (a
        // second or two, more on a loaded machine).
        .waitFor({ timeout: 30_000 });
      // "Ended", or already "Recording" when the recording was ready within the same look
      // (a quiet machine finishes it in about as long as the page takes to look again).
      await expect(
        main
          .getByText(/^(Ended|Recording)$/)
          .first()
          .isVisible(),
      ).resolves.toBe(true);
      const own = watchedEvent(page);
      await expect(own.getByText("LIVE", { exact: true }).count()).resolves.toBe(0);
      await expect(main.getByText(/s behind/).count()).resolves.toBe(0);
      await expect(own.getByTestId("viewer-count").count()).resolves.toBe(0);
      await expect(main.locator("video").count()).resolves.toBe(0);
      await page.screenshot({ path: join(shots, `ended-${size}.png`) });
    }
    console.log(`"ended" shown ${((Date.now() - stopped) / 1000).toFixed(1)} s after the stop`);

    for (const [size, page] of pages) {
      const main = page.getByRole("main");
      const offer = main.getByRole("button", { name: "Watch the recording" });
      await offer.waitFor({ timeout: 60_000 });
      await offer.click();
      await expectPlaying(page);
      expect((await page.evaluate(videoState)).source).toMatch(/\/vod\.m3u8$/);
      // The event's own badge (cards below, "More like this", have theirs).
      const title = main.getByRole("heading", { level: 1 });
      await expect(title.getByText("Recording", { exact: true }).isVisible()).resolves.toBe(true);
      await page.screenshot({ path: join(shots, `recording-offered-${size}.png`) });
    }
    expect(problems).toEqual([]);
  }, 240_000);
});
