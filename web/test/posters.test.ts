// Pictures (#26 item 4), walked in Chromium against the running platform at a desktop's size and
// a phone's (390 × 844): home's Live now and channel pages' cards show the live frame and the
// recording's poster (the small one where a card is narrow, the large one on a phone's full
// width), lazily, in a 16:9 box sized before they load; a channel page shows its live frame as
// its banner and a scheduled event's card the channel's generated picture; the watch page gives
// the video the poster (live and recorded) and a scheduled event's placeholder the generated one.
// Screenshots: .data/screenshots/posters-*.png.
import { join } from "node:path";
import type { VideoEvent } from "@stream-platform/shared/api";
import {
  api,
  newUser,
  type Publisher,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import type { Browser, Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  browserForFile,
  consoleErrorsInto,
  edge,
  goLive,
  newChannel,
  newEvent,
  pageAs,
  SIZES,
  type Size,
  shots,
} from "./browser.ts";

let browser: Browser;
const problems: string[] = [];
const publishers: Publisher[] = [];

browserForFile(
  (launched) => {
    browser = launched;
  },
  () => {
    for (const publisher of publishers) publisher.process.kill("SIGKILL");
  },
);

/** A page whose uncaught errors and console errors land in `problems`. */
async function open(size: Size, path: string): Promise<Page> {
  const page = await pageAs(browser, undefined, size, problems);
  consoleErrorsInto(page, problems);
  await page.goto(`${edge}${path}`);
  return page;
}

const event = async (id: string) => (await api<VideoEvent>(`/api/events/${id}`)).body;

/** The cards of a home shelf that name `channelTitle` as their channel. */
const cardsOf = (page: Page, shelf: string, channelTitle: string): Locator =>
  page
    .getByRole("region", { name: shelf })
    .getByRole("listitem")
    .filter({ has: page.getByRole("link", { name: channelTitle, exact: true }) });

/** Its box is 16:9 (as it was before anything loaded: the box has no other size). */
async function expectWide(picture: Locator): Promise<void> {
  const box = await picture.boundingBox();
  expect(box).not.toBeNull();
  expect(Math.abs((box?.width ?? 0) / (box?.height ?? 1) - 16 / 9)).toBeLessThan(0.05);
}

/** The element's computed background picture. */
const pictureOf = (element: Locator) =>
  element.evaluate(
    (e) =>
      (
        globalThis as unknown as { getComputedStyle(e: unknown): { backgroundImage: string } }
      ).getComputedStyle(e).backgroundImage,
  );

/** A card's poster: lazy, sized, decorative, loaded from `folder` (`file` picked by srcset). */
async function expectPoster(card: Locator, folder: string, file: string): Promise<void> {
  const img = card.locator("img.poster");
  await img.scrollIntoViewIfNeeded();
  await expect(img.getAttribute("loading")).resolves.toBe("lazy");
  await expect(img.getAttribute("alt")).resolves.toBe("");
  await expect(img.getAttribute("width")).resolves.toBe("320");
  await expect(img.getAttribute("height")).resolves.toBe("180");
  await until(
    `the poster of ${folder}`,
    async () =>
      (await img.evaluate(
        (i: { complete: boolean; naturalHeight: number }) => i.complete && i.naturalHeight > 0,
      )) || undefined,
    20_000,
    100,
  );
  await expect(img.evaluate((i: { currentSrc: string }) => i.currentSrc)).resolves.toBe(
    `${edge}${folder}${file}`,
  );
  await expectWide(img);
}

let recorded: VideoEvent;
let live: VideoEvent;
let planned: VideoEvent;
const channels: Record<"recorded" | "live" | "planned", { slug: string; title: string }> = {
  recorded: { slug: "", title: "" },
  live: { slug: "", title: "" },
  planned: { slug: "", title: "" },
};

beforeAll(async () => {
  const owner: TestUser = await newUser("Pictures");
  const [a, b, c] = await Promise.all(
    ["poster-r", "poster-l", "poster-s"].map((prefix) => newChannel(owner, uniqueSlug(prefix))),
  );
  if (!a || !b || !c) throw new Error("channels");
  for (const [name, channel] of [
    ["recorded", a],
    ["live", b],
    ["planned", c],
  ] as const)
    channels[name] = { slug: channel.slug, title: `Channel ${channel.slug}` };
  // Two streams at once: one ends (its recording keeps a poster), the other stays live.
  const [first, second] = await Promise.all([goLive(a), goLive(b)]);
  publishers.push(first.publisher, second.publisher);
  // Each names its live poster once ffmpeg wrote it (seconds after going live).
  const pictured = (id: string) =>
    until(`${id}'s live poster`, async () => {
      const e = await event(id);
      return e.posterUrl ? e : undefined;
    });
  await pictured(first.eventId);
  first.publisher.process.kill("SIGINT");
  await first.publisher.exited;
  recorded = await until(
    "the recording",
    async () => {
      const e = await event(first.eventId);
      return e.status === "ended" && e.vodPath ? e : undefined;
    },
    60_000,
    250,
  );
  live = await pictured(second.eventId);
  planned = await event(await newEvent(owner, c.id, `Planned ${c.slug}`));
  expect(planned.posterUrl).toBeUndefined();
}, 150_000);

describe("pictures (#26 item 4)", () => {
  for (const size of Object.keys(SIZES) as Size[]) {
    // A card is 240-320 px wide on a desktop (the 180 px poster), the page's width on a phone.
    const small = size === "desktop";
    it(`posters on the home shelves, a channel page and the watch page (${size})`, async () => {
      const home = await open(size, "/");
      const liveCard = cardsOf(home, "Live now", channels.live.title);
      await liveCard.waitFor({ timeout: 30_000 });
      await expectPoster(liveCard, `/hls/${live.id}/`, small ? "poster-small.jpg" : "poster.jpg");
      await home.screenshot({ path: join(shots, `posters-home-${size}.png`), fullPage: true });

      // The live channel: its live frame as the banner, and on its event's card.
      const channel = await open(size, `/c/${channels.live.slug}`);
      const banner = channel.locator(".channel-banner img");
      await banner.waitFor();
      await expect(banner.getAttribute("src")).resolves.toBe(live.posterUrl);
      await until("the banner's picture", async () =>
        (await banner.evaluate((i: { naturalHeight: number }) => i.naturalHeight)) === 360
          ? true
          : undefined,
      );
      await expectPoster(
        channel.getByRole("listitem").first(),
        `/hls/${live.id}/`,
        small ? "poster-small.jpg" : "poster.jpg",
      );
      await channel.screenshot({ path: join(shots, `posters-channel-${size}.png`) });

      // A recording keeps its poster (its channel's page: home's Recent recordings goes by start
      // time, which other tests' events, scheduled years ahead, lead).
      const recordedPage = await open(size, `/c/${channels.recorded.slug}`);
      await expectPoster(
        recordedPage.getByRole("listitem").filter({ hasText: "Recording" }),
        `/hls/${recorded.id}/`,
        small ? "poster-vod-small.jpg" : "poster-vod.jpg",
      );
      await expect(recordedPage.locator(".channel-banner img").getAttribute("src")).resolves.toBe(
        recorded.posterUrl,
      );

      // A scheduled event has no picture of its own: the channel's, drawn (its initial, its hue).
      const plannedPage = await open(size, `/c/${channels.planned.slug}`);
      const fallback = plannedPage.getByRole("listitem").first().locator(".poster-fallback");
      await fallback.waitFor();
      await expect(fallback.getAttribute("aria-hidden")).resolves.toBe("true");
      // Its initial once the card knows the channel's name (asked once per page).
      await fallback.locator("span", { hasText: /^C$/ }).waitFor();
      await expect(pictureOf(fallback)).resolves.toContain("linear-gradient");
      await expectWide(fallback);
      await expect(plannedPage.locator(".channel-banner img").count()).resolves.toBe(0);
      await plannedPage.screenshot({ path: join(shots, `posters-planned-${size}.png`) });

      // The watch page: the poster is the video's until its first frame (never waited for).
      const watch = await open(size, `/watch/${live.id}`);
      await watch.locator("video").waitFor({ state: "attached" });
      await expect(watch.locator("video").getAttribute("poster")).resolves.toBe(live.posterUrl);
      await watch.screenshot({ path: join(shots, `posters-watch-live-${size}.png`) });
      const recording = await open(size, `/watch/${recorded.id}`);
      await recording.locator("video").waitFor({ state: "attached" });
      await expect(recording.locator("video").getAttribute("poster")).resolves.toBe(
        recorded.posterUrl,
      );
      const upcoming = await open(size, `/watch/${planned.id}`);
      const placeholder = upcoming.locator(".player.placeholder.poster-fallback");
      await placeholder.waitFor();
      await expect(placeholder.textContent()).resolves.toContain("Starts");
      await expect(pictureOf(placeholder)).resolves.toContain("linear-gradient");
      await expectWide(placeholder);
      await upcoming.screenshot({ path: join(shots, `posters-watch-planned-${size}.png`) });

      expect(problems).toEqual([]);
      await Promise.all(
        [home, channel, recordedPage, plannedPage, watch, recording, upcoming].map((p) =>
          p.context().close(),
        ),
      );
    });
  }
});
