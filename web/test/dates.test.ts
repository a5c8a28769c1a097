// Dates (issue #24, item 6), walked in Chromium against the running platform at a desktop's size
// and a phone's (390 × 844): the dashboard's schedule form refuses a time that has passed (the
// browser by the field's min; the API, when the form was left open meanwhile, with its answer in
// words next to the field); an event whose time passed without a stream is upcoming nowhere (home's
// Upcoming, search's Upcoming filter and its count) and its card, page and dashboard row say it did
// not start, while one a few minutes late says "starting soon"; its owner moves it to the future
// and it is upcoming again. Screenshots: .data/screenshots/dates-*.png.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  api,
  newUser,
  storeScheduledEvent,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  browserForFile,
  edge,
  expectFieldError,
  newChannel,
  newEvent,
  pageAs,
  SIZES,
  type Size,
  shots,
  watchedEvent,
} from "./browser.ts";

let browser: Browser;
const problems: string[] = [];

browserForFile((launched) => {
  browser = launched;
});

/** A datetime-local field's value for `date` (the browser runs in this machine's time zone). */
const localInput = (date: Date) =>
  new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

// Page-side code as functions (the page's CSP refuses strings to evaluate); this file is
// type-checked for Node, so the DOM is described as far as used.
interface PageInput {
  validity: { rangeUnderflow: boolean };
  removeAttribute(name: string): void;
}
const underflows = (input: unknown) => (input as PageInput).validity.rangeUnderflow;
const dropMin = (input: unknown) => (input as PageInput).removeAttribute("min");

/** The listed card whose title is `title`. */
const cardOf = (page: Page, title: string) =>
  page
    .getByRole("main")
    .getByRole("listitem")
    .filter({ has: page.getByRole("heading", { level: 3, name: title, exact: true }) });

/** Until the search API finds `total` events for `query` (indexing goes through Kafka). */
const searchFinds = (query: string, total: number) =>
  until(
    `${total} events found for ${query}`,
    async () => {
      const found = await api<{ total: number }>(`/api/search?${query}`);
      return found.body.total === total ? true : undefined;
    },
    60_000,
    500,
  );

describe("dates (#24 item 6)", () => {
  for (const size of Object.keys(SIZES) as Size[]) {
    it(`a passed time is refused at the field; an event that did not start leaves Upcoming, says so, and can be moved (${size})`, async () => {
      const creator = await newUser("Planner");
      const channel = await newChannel(creator, uniqueSlug("dates"));
      const w = `dates${randomBytes(5).toString("hex")}`;
      const page = await pageAs(browser, creator, size, problems);
      const main = page.getByRole("main");

      // Scheduling in the past: the browser refuses it up front (the field's min is now)...
      await page.goto(`${edge}/dashboard`);
      await main.getByRole("button", { name: "Schedule an event" }).click();
      const form = main.getByRole("form", { name: "Schedule an event" });
      await form.getByLabel("Title", { exact: true }).fill(`${w} new year`);
      const starts = form.getByLabel("Starts");
      await starts.fill("2020-01-01T10:00");
      await form.getByRole("button", { name: "Schedule", exact: true }).click();
      await expect(starts.evaluate(underflows)).resolves.toBe(true);
      // ...and a form left open while its time passed (its min has gone stale: here, gone) gets
      // the API's refusal, in words, next to the field.
      await starts.evaluate(dropMin);
      await form.getByRole("button", { name: "Schedule", exact: true }).click();
      await expectFieldError(starts, "This time has passed: choose a time from now on");
      await expect(starts.inputValue()).resolves.toBe("2020-01-01T10:00");
      await page.screenshot({ path: join(shots, `dates-refused-${size}.png`) });
      const none = await api<{ items: unknown[] }>(`/api/events?channelId=${channel.id}`);
      expect(none.body.items).toEqual([]);

      // An event whose time passed three hours ago without a stream, one ten minutes late (it may
      // still start), and one ahead. The API refuses to make the first two: they are written into
      // the events store as they would be after their time went by (shared/src/testing).
      const now = Date.now();
      const missed = `${w} missed`;
      const missedId = await storeScheduledEvent({
        channelId: channel.id,
        ownerId: creator.id,
        title: missed,
        startsAt: new Date(now - 3 * 3_600_000),
      });
      const lateId = await storeScheduledEvent({
        channelId: channel.id,
        ownerId: creator.id,
        title: `${w} late`,
        startsAt: new Date(now - 10 * 60_000),
      });
      await newEvent(creator, channel.id, `${w} ahead`);
      await searchFinds(`q=${w}`, 3);

      // Search finds it, saying it did not start; Upcoming counts and lists the other two only.
      await page.goto(`${edge}/search?q=${w}`);
      const missedCard = cardOf(page, missed);
      await missedCard.getByText("Didn't start", { exact: true }).waitFor();
      await expect(missedCard.getByTestId("did-not-start").textContent()).resolves.toMatch(
        /^Didn't start — was planned for \S/,
      );
      await cardOf(page, `${w} late`).getByText("starting soon").waitFor();
      await page.screenshot({ path: join(shots, `dates-search-${size}.png`) });
      const upcoming = main.getByRole("checkbox", { name: "Upcoming (2)" });
      await upcoming.check();
      await page.waitForURL((url) => url.searchParams.get("status") === "scheduled");
      await page.getByTestId("result-count").filter({ hasText: "2 events" }).waitFor();
      await cardOf(page, `${w} ahead`).waitFor();
      await expect(missedCard.count()).resolves.toBe(0);

      // Home's Upcoming shelf leaves it out.
      await page.goto(edge);
      const shelf = page.getByRole("region", { name: "Upcoming" });
      await shelf.getByRole("list").or(shelf.getByText("Nothing scheduled yet.")).waitFor();
      await expect(cardOf(page, missed).count()).resolves.toBe(0);

      // Its page says plainly that it did not start, never "starting".
      await page.goto(`${edge}/watch/${missedId}`);
      await main.getByRole("heading", { level: 1, name: `Didn't start ${missed}` }).waitFor();
      await expect(watchedEvent(page).getByTestId("did-not-start").textContent()).resolves.toMatch(
        /^Didn't start — was planned for \S/,
      );
      // (Below it, "More like this" may list the late one, which is starting soon.)
      await expect(
        watchedEvent(page)
          .getByText(/starting/i)
          .count(),
      ).resolves.toBe(0);
      await page.screenshot({ path: join(shots, `dates-did-not-start-${size}.png`) });
      // The late one is still upcoming: starting soon.
      await page.goto(`${edge}/watch/${lateId}`);
      await main.getByRole("heading", { level: 1, name: `Upcoming ${w} late` }).waitFor();
      await watchedEvent(page).getByText("starting soon").waitFor();
      // Someone else is offered a reminder of the upcoming one, none of the one that did not start.
      const visitor = await pageAs(browser, undefined, size, problems);
      const remind = visitor.getByRole("button", { name: "Sign in to be notified" });
      await visitor.goto(`${edge}/watch/${lateId}`);
      await remind.waitFor();
      await visitor.goto(`${edge}/watch/${missedId}`);
      await watchedEvent(visitor).getByTestId("did-not-start").waitFor();
      // Known to be signed out (the header says so) by then, as the button would be.
      await visitor
        .getByRole("navigation", { name: "Account" })
        .getByRole("link", { name: "Sign in" })
        .waitFor();
      await expect(remind.count()).resolves.toBe(0);
      await visitor.context().close();

      // The channel page's card says so too.
      await page.goto(`${edge}/c/${channel.slug}`);
      await cardOf(page, missed).getByText("Didn't start", { exact: true }).waitFor();

      // Its owner edits it as it is (its time stays), then moves it to tomorrow: upcoming again.
      await page.goto(`${edge}/dashboard`);
      const row = (title: string) =>
        main.getByRole("row").filter({ has: page.getByRole("link", { name: title, exact: true }) });
      await row(missed).getByText("Didn't start", { exact: true }).waitFor();
      await row(missed).getByRole("button", { name: "Edit" }).click();
      const edit = main.getByRole("form", { name: "Edit the event" });
      const renamed = `${w} missed, renamed`;
      await edit.getByLabel("Title", { exact: true }).fill(renamed);
      await edit.getByRole("button", { name: "Save" }).click();
      await row(renamed).getByText("Didn't start", { exact: true }).waitFor();
      await row(renamed).getByRole("button", { name: "Edit" }).click();
      await edit.getByLabel("Starts").fill(localInput(new Date(Date.now() + 24 * 3_600_000)));
      await edit.getByRole("button", { name: "Save" }).click();
      await row(renamed).getByText("Upcoming", { exact: true }).waitFor();
      await page.screenshot({ path: join(shots, `dates-moved-${size}.png`) });
      await searchFinds(`q=${w}&status=scheduled`, 3);
      expect(problems).toEqual([]);
    }, 180_000);
  }
});
