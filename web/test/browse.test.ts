// Finding things to watch (issue #24, items 2, 3 and 13), walked in Chromium against the running
// platform at a desktop's size and a phone's (390 × 844): shelves that follow a stream starting
// and stopping without a reload, cards naming their channel (recordings with their length and
// views), a channel page with its banner, avatar and live link; a deleted account's events
// leaving the home page and search, their old links leading to a page with a way home; search
// results in pages, filters in the badges' words, and shelves' "See all".
// Screenshots: .data/screenshots/browse-*.png.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  api,
  newUser,
  type Publisher,
  publishTestPattern,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import type { Browser, Locator, Page } from "playwright-core";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  browserForFile,
  edge,
  newChannel,
  newEvent,
  pageAs,
  SIZES,
  type Size,
  shots,
} from "./browser.ts";

let browser: Browser;
const problems: string[] = [];
let publisher: Publisher | undefined;

afterEach(() => {
  publisher?.process.kill("SIGKILL");
  publisher = undefined;
});

browserForFile((launched) => {
  browser = launched;
});

/** A made-up word no other test uses: letters only, so the search analyzers keep it whole. */
const word = () =>
  `zb${Array.from(randomBytes(8), (byte) => String.fromCharCode(97 + (byte % 26))).join("")}`;

/** The cards of a home shelf that name `channelTitle` as their channel. */
const cardsOf = (page: Page, shelf: string, channelTitle: string): Locator =>
  page
    .getByRole("region", { name: shelf })
    .getByRole("listitem")
    .filter({ has: page.getByRole("link", { name: channelTitle, exact: true }) });

/** Opens `/search?query` until `done` holds (indexing goes through Kafka; search is not live). */
async function searchUntil(page: Page, query: string, done: () => Promise<boolean>) {
  await until(
    `the search page for ${query}`,
    async () => {
      await page.goto(`${edge}/search?${query}`);
      await page.getByTestId("result-count").waitFor();
      return (await done()) ? true : undefined;
    },
    60_000,
    1000,
  );
}

describe("browsing (#24)", () => {
  for (const size of Object.keys(SIZES) as Size[]) {
    it(`shelves follow a stream without a reload; a deleted account's events leave home and search, their links lead home (${size})`, async () => {
      const creator: TestUser = await newUser("Shelver");
      const channel = await newChannel(creator, uniqueSlug("shelf"));
      const channelTitle = `Channel ${channel.slug}`;
      const title = `Shelf ${word()} show`;
      const scheduled = await newEvent(creator, channel.id, title);

      const home = await pageAs(browser, undefined, size, problems);
      await home.goto(edge);
      await home.getByRole("region", { name: "Live now" }).waitFor();
      // The stream starts: its card comes onto Live now, naming the channel, without a reload.
      publisher = publishTestPattern(channel.streamKey, { size: "640x360" });
      const live = cardsOf(home, "Live now", channelTitle);
      await live.waitFor({ timeout: 90_000 });
      await live.getByText("LIVE", { exact: true }).waitFor();
      await home.screenshot({ path: join(shots, `browse-live-shelf-${size}.png`) });

      // The channel page: banner, avatar, and a link to what is live now.
      const visitor = await pageAs(browser, undefined, size, problems);
      await visitor.goto(`${edge}/c/${channel.slug}`);
      await visitor.getByRole("heading", { level: 1, name: channelTitle }).waitFor();
      await expect(visitor.locator(".channel-banner").isVisible()).resolves.toBe(true);
      await expect(visitor.locator(".avatar.avatar-live").textContent()).resolves.toBe("C");
      const liveLink = visitor.getByRole("link", { name: /Live now: / });
      await liveLink.waitFor();
      await visitor.screenshot({ path: join(shots, `browse-channel-${size}.png`) });
      await liveLink.click();
      await visitor.waitForURL((url) => url.pathname.startsWith("/watch/"));
      const liveId = new URL(visitor.url()).pathname.split("/").pop() ?? "";
      expect(liveId).not.toBe("");

      // The stream stops: the card leaves Live now (no stale "live" card) and comes onto Recent
      // recordings with its length and its views, still without a reload.
      publisher.process.kill("SIGINT");
      await publisher.exited;
      publisher = undefined;
      await until(
        "the stopped stream's card gone from Live now",
        async () => ((await live.count()) === 0 ? true : undefined),
        45_000,
        500,
      );
      const recording = cardsOf(home, "Recent recordings", channelTitle);
      await recording.waitFor({ timeout: 30_000 });
      await recording.getByText("Recording", { exact: true }).waitFor();
      await expect(recording.getByTestId("duration").textContent()).resolves.toMatch(
        /^(\d+ s|\d+ min)$/,
      );
      await expect(recording.getByTestId("views").textContent()).resolves.toMatch(/^\d+ views?$/);
      await home.screenshot({ path: join(shots, `browse-recordings-${size}.png`) });

      // Search finds the scheduled event, with its channel named on the card.
      const finder = await pageAs(browser, undefined, size, problems);
      const found = finder.getByRole("heading", { level: 3, name: title });
      await searchUntil(finder, `q=${encodeURIComponent(title)}`, async () => found.isVisible());
      await finder
        .getByRole("listitem")
        .filter({ has: found })
        .getByRole("link", { name: channelTitle, exact: true })
        .waitFor();

      // The account is deleted: its events leave the open home page and search.
      const deleted = await api("/api/me", {
        method: "DELETE",
        token: creator.token,
        body: { password: creator.password },
      });
      expect(deleted.status).toBe(204);
      await until(
        "the deleted account's recording gone from the open home page",
        async () => ((await recording.count()) === 0 ? true : undefined),
        45_000,
        500,
      );
      await searchUntil(
        finder,
        `q=${encodeURIComponent(title)}`,
        async () => (await found.count()) === 0,
      );

      // Their old links: a page that says what is missing and leads home, not a dead end.
      for (const [path, heading] of [
        [`/watch/${scheduled}`, "This event is not here"],
        [`/watch/${liveId}`, "This event is not here"],
        [`/c/${channel.slug}`, "This channel is not here"],
        // Mistyped: not an event id at all, a channel nobody made.
        ["/watch/not-an-event", "This event is not here"],
        [`/c/${uniqueSlug("nobody")}`, "This channel is not here"],
      ] as const) {
        await finder.goto(`${edge}${path}`);
        await finder.getByRole("heading", { level: 1, name: heading }).waitFor();
      }
      await finder.screenshot({ path: join(shots, `browse-not-found-${size}.png`) });
      await finder.getByRole("link", { name: "Back home" }).click();
      await finder.getByRole("region", { name: "Live now" }).waitFor();
      expect(new URL(finder.url()).pathname).toBe("/");
      expect(problems).toEqual([]);
    }, 240_000);
  }

  describe("many results", () => {
    let tag: string;
    let ids: string[];

    beforeAll(async () => {
      // 21 events: one more than a page of search results, and more than a shelf shows.
      const owner = await newUser("Pager");
      const channel = await newChannel(owner, uniqueSlug("pages"));
      tag = word();
      ids = [];
      for (let n = 1; n <= 21; n++)
        ids.push(await newEvent(owner, channel.id, `Paging ${tag} ${String(n).padStart(2, "0")}`));
      await until(
        "the 21 events indexed",
        async () => {
          const found = await api<{ total: number }>(`/api/search?q=${tag}`);
          return found.body.total === 21 ? true : undefined;
        },
        60_000,
        500,
      );
    });

    for (const size of Object.keys(SIZES) as Size[]) {
      it(`search results come in pages (Next, Previous, Back); filters say what badges say (${size})`, async () => {
        const page = await pageAs(browser, undefined, size, problems);
        const count = page.getByTestId("result-count");
        const cards = page.getByRole("main").getByRole("listitem");
        const pages = page.getByRole("navigation", { name: "Pages" });
        await page.goto(`${edge}/search?q=${tag}`);
        await count.filter({ hasText: "1–20 of 21 events" }).waitFor();
        await expect(cards.count()).resolves.toBe(20);
        await pages.getByText("Page 1 of 2").waitFor();
        await expect(pages.getByRole("link", { name: "Previous" }).count()).resolves.toBe(0);

        await pages.getByRole("link", { name: "Next" }).click();
        await count.filter({ hasText: "21–21 of 21 events" }).waitFor();
        expect(new URL(page.url()).searchParams.get("page")).toBe("2");
        await expect(cards.count()).resolves.toBe(1);
        await pages.getByText("Page 2 of 2").waitFor();
        await expect(pages.getByRole("link", { name: "Next" }).count()).resolves.toBe(0);
        await page.screenshot({ path: join(shots, `browse-search-page-2-${size}.png`) });
        // The two pages hold every event once.
        const shown = async () =>
          (
            await cards
              .getByRole("link")
              .evaluateAll((links) => links.map((a) => a.getAttribute("href")))
          )
            .filter((href): href is string => Boolean(href?.startsWith("/watch/")))
            .map((href) => href.slice("/watch/".length));
        const second = await shown();
        await page.goBack();
        await count.filter({ hasText: "1–20 of 21 events" }).waitFor();
        const first = await shown();
        expect([...first, ...second].sort()).toEqual([...ids].sort());
        await page.goForward();
        await count.filter({ hasText: "21–21 of 21 events" }).waitFor();
        await pages.getByRole("link", { name: "Previous" }).click();
        await count.filter({ hasText: "1–20 of 21 events" }).waitFor();
        expect(new URL(page.url()).searchParams.get("page")).toBeNull();

        // The status filter in the badges' words (Upcoming, not "scheduled"); choosing one
        // starts again at page 1.
        const filters = page.getByRole("complementary", { name: "Filters" });
        await filters.getByRole("group", { name: "Status" }).waitFor();
        await expect(filters.getByText("scheduled").count()).resolves.toBe(0);
        await pages.getByRole("link", { name: "Next" }).click();
        await count.filter({ hasText: "21–21 of 21 events" }).waitFor();
        await filters.getByRole("checkbox", { name: /^Upcoming/ }).check();
        await page.waitForURL((url) => url.searchParams.get("status") === "scheduled");
        expect(new URL(page.url()).searchParams.get("page")).toBeNull();
        await count.filter({ hasText: "1–20 of 21 events" }).waitFor();
        expect(problems).toEqual([]);
      });

      it(`a full shelf offers "See all", which lists its events in pages (${size})`, async () => {
        const page = await pageAs(browser, undefined, size, problems);
        await page.goto(edge);
        const upcoming = page.getByRole("region", { name: "Upcoming" });
        await expect(upcoming.getByRole("listitem").count()).resolves.toBeLessThanOrEqual(12);
        await upcoming.getByRole("link", { name: "See all upcoming" }).click();
        await page.waitForURL((url) => url.pathname === "/search");
        expect(new URL(page.url()).searchParams.get("status")).toBe("scheduled");
        await page.getByRole("heading", { level: 1, name: "All events" }).waitFor();
        await page
          .getByTestId("result-count")
          .filter({ hasText: /^1–20 of / })
          .waitFor();
        await page
          .getByRole("navigation", { name: "Pages" })
          .getByRole("link", { name: "Next" })
          .waitFor();
        // Only upcoming events, the filter chosen in its own word.
        await expect(page.getByRole("checkbox", { name: /^Upcoming/ }).isChecked()).resolves.toBe(
          true,
        );
        const badges = await page.getByRole("main").locator(".badge").allTextContents();
        expect(new Set(badges)).toEqual(new Set(["Upcoming"]));
        await page.screenshot({ path: join(shots, `browse-see-all-${size}.png`) });
        expect(problems).toEqual([]);
      });
    }
  });
});
