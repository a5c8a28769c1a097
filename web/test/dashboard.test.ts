// The creator dashboard around a live stream (issue #24, item 12), in Chromium at a desktop's and
// a phone's size, both open on the same stream: ffmpeg goes live on a channel with nothing
// scheduled; the dashboard shows the stream's health (bitrate, fps, from stream-server) and a
// muted preview that plays; its owner renames the automatic "Live now" event, which its watch page
// then shows; the stream ends and the viewers panel stays, with the final figures and a chart with
// a time axis. Nobody else may read the stream's health. Screenshots: .data/screenshots/dashboard-*.png.
import { join } from "node:path";
import { PROBLEM_JSON } from "@stream-platform/shared";
import { api, newUser, type Publisher, uniqueSlug, until } from "@stream-platform/shared/testing";
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  browserForFile,
  consoleErrorsInto,
  edge,
  expectPlaying,
  goLive,
  newChannel,
  pageAs,
  SIZES,
  type Size,
  shots,
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

/** A page whose uncaught errors and console errors land in `problems`. */
async function watched(...args: Parameters<typeof pageAs>): Promise<Page> {
  const page = await pageAs(...args);
  consoleErrorsInto(page, problems);
  return page;
}

/** What is read of the page's video (this file is type-checked for Node: no DOM types). */
interface PageVideo {
  muted: boolean;
}

/** The figure a health row shows, as a number ("1,234 kbit/s" → 1234). */
const figure = async (page: Page, id: string) =>
  Number(((await page.getByTestId(id).textContent()) ?? "").replace(/[^\d.]/g, "")) || 0;

describe("the dashboard of a live stream", () => {
  it("shows its health and preview, renames it, and keeps its figures when it ends", async () => {
    const owner = await newUser("studio");
    const other = await newUser("nosy");
    const channel = await newChannel(owner, uniqueSlug("dash"));
    const live = await goLive(channel);
    publisher = live.publisher;
    const { eventId } = live;

    // The stream's health is its owner's only, answered as problems to anyone else.
    const health = `/api/streams/${channel.id}/health`;
    const refused = await api<{ status: number }>(health, { token: other.token });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toBe(PROBLEM_JSON);
    expect((await api(health)).status).toBe(401);
    const own = await api<{ live: boolean; eventId: string }>(health, { token: owner.token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ live: true, eventId });

    const studios = new Map<Size, Page>();
    for (const size of Object.keys(SIZES) as Size[]) {
      const studio = await watched(browser, owner, size, problems);
      await studio.goto(`${edge}/dashboard`);
      const stream = studio.getByRole("region", { name: "Your stream" });
      await stream.waitFor({ timeout: 30_000 });
      // Figures from the encoder: what the publisher sends, and frames made.
      await until(
        "a bitrate and a frame rate",
        async () =>
          (await figure(studio, "health-bitrate")) > 0 && (await figure(studio, "health-fps")) > 0
            ? true
            : undefined,
        30_000,
        500,
      );
      await expect(studio.getByTestId("health-resolution").textContent()).resolves.toBe("640×360");
      // The publisher's keyframe interval (a test pattern's: 2 s), fitting: nothing to say.
      await expect(studio.getByTestId("health-keyframes").textContent()).resolves.toBe("every 2 s");
      await expect(studio.getByTestId("health-notice").count()).resolves.toBe(0);
      await expectPlaying(studio); // the preview, muted
      await expect(
        studio.getByTestId("preview").evaluate((v) => (v as unknown as PageVideo).muted),
      ).resolves.toBe(true);
      // Planned for no time of its own: it says when it started.
      const row = studio.getByRole("row").filter({ hasText: "Live now" });
      // (On a phone, under the title: there is no Starts column.)
      await row
        .getByText(/^Started /)
        .filter({ visible: true })
        .waitFor();
      // What to set in OBS for the lowest latency, opened from the stream's panel (#25).
      const streaming = studio.getByRole("region", { name: "Streaming" });
      await streaming.getByText("Recommended OBS settings (lowest latency)").click();
      for (const setting of ["Keyframe Interval", "2 s", "zerolatency", "CBR"])
        await streaming.getByText(setting, { exact: true }).first().waitFor();
      await studio.screenshot({ path: join(shots, `dashboard-live-${size}.png`), fullPage: true });
      studios.set(size, studio);
    }

    // The owner renames the automatic "Live now" event (its start stays as it is).
    const title = `Maths live ${uniqueSlug("t")}`;
    const desktop = studios.get("desktop") as Page;
    await desktop
      .getByRole("row")
      .filter({ hasText: "Live now" })
      .getByRole("button", { name: /^Edit/ })
      .click();
    const form = desktop.getByRole("form", { name: "Edit the event" });
    await expect(form.getByLabel("Starts").count()).resolves.toBe(0);
    // Live, its frames are its poster: none to upload.
    await expect(form.getByLabel(/^Poster/).count()).resolves.toBe(0);
    await form.getByLabel("Title").fill(title);
    await form.getByLabel("Description").fill("Proofs, live");
    await form.getByLabel("Tags (comma-separated)").fill("maths, live");
    await form.getByRole("button", { name: "Save" }).click();
    await desktop.getByRole("link", { name: title }).waitFor();
    await desktop.getByRole("heading", { name: `Viewers of “${title}”` }).waitFor();
    // The other dashboard sees it at its next look (every 10 s).
    await (studios.get("phone") as Page)
      .getByRole("link", { name: title })
      .waitFor({ timeout: 20_000 });

    // Its watch page says the new title, and its viewer is counted on the dashboards.
    const viewer = await watched(browser, other, "phone", problems);
    await viewer.goto(`${edge}/watch/${eventId}`);
    await viewer.getByRole("heading", { name: title }).waitFor();
    await expectPlaying(viewer);
    await watchedEvent(viewer).getByTestId("viewer-count").filter({ hasText: "1 viewer" }).waitFor({
      timeout: 45_000,
    });
    for (const studio of studios.values())
      await studio
        .getByTestId("chart-latest")
        .filter({ hasText: /^1$/ })
        .waitFor({ timeout: 45_000 });
    await viewer.context().close();

    // The stream ends: the viewers panel stays, with the whole stream's final figures.
    publisher.process.kill("SIGINT");
    await publisher.exited;
    for (const [size, studio] of studios) {
      const viewers = studio.getByRole("region", { name: "Viewers" });
      await viewers.getByTestId("final-figures").waitFor({ timeout: 30_000 });
      await expect(viewers.getByTestId("final-figures").textContent()).resolves.toMatch(
        /^Final figures: peak 1 · 1 unique viewer · watch time \d+ min/,
      );
      await expect(viewers.getByText(/^(Ended|Recording)$/).count()).resolves.toBe(1);
      const ticks = await viewers.getByTestId("time-axis").locator("text").allTextContents();
      expect(ticks.length).toBeGreaterThan(0);
      for (const tick of ticks) expect(tick).toMatch(/^\d{1,2}:\d{2}(:\d{2})?/);
      await expect(viewers.locator("svg desc").textContent()).resolves.toMatch(
        /^Viewers per minute from .+ to .+: at most 1\.$/,
      );
      // Nothing is streamed any more: no preview, no health.
      await expect(studio.getByRole("region", { name: "Your stream" }).count()).resolves.toBe(0);
      await studio.screenshot({ path: join(shots, `dashboard-ended-${size}.png`), fullPage: true });
    }
    // Ended, its health says so (to its owner).
    await until("the health to say the stream is off", async () => {
      const after = await api<{ live: boolean; signal: boolean }>(health, { token: owner.token });
      return !after.body.live && !after.body.signal ? true : undefined;
    });
    expect(problems).toEqual([]);
  }, 240_000);
});
