// "More like this" (issue #26, item 2's related events), walked in Chromium at a desktop's size and
// a phone's: under an event's watch page, the events most like it (its words, category, tags,
// channel: the search function's GET /api/events/:id/related), each a card leading to its own
// page, and never the event itself. Screenshots: .data/screenshots/related-*.png.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { api, newUser, until } from "@stream-platform/shared/testing";
import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserForFile, edge, newChannel, pageAs, SIZES, type Size, shots } from "./browser.ts";

let browser: Browser;
const problems: string[] = [];

browserForFile((launched) => {
  browser = launched;
});

/** A word of letters only, which no other test uses (analyzers keep it whole). */
const word = () =>
  `zr${Array.from(randomBytes(6), (byte) => String.fromCharCode(97 + (byte % 26))).join("")}`;

describe("more like this", () => {
  for (const size of Object.keys(SIZES) as Size[])
    it(`lists the events like the one watched, each leading to its page (${size})`, async () => {
      const owner = await newUser("Curator");
      const channel = await newChannel(owner, `related-${word()}`);
      const [a, b, tag] = [word(), word(), word()];
      const schedule = async (title: string) => {
        const event = await api<{ id: string }>("/api/events", {
          token: owner.token,
          body: {
            channelId: channel.id,
            title,
            category: "astronomy",
            tags: [tag],
            startsAt: new Date(Date.now() + 86_400_000).toISOString(),
          },
        });
        expect(event.status).toBe(201);
        return event.body.id;
      };
      const watched = await schedule(`${a} ${b} night`);
      const alike = `${a} ${b} morning`;
      const alikeId = await schedule(alike);
      // Indexed through Kafka: the related list has it once both are in.
      await until(
        "the related event to be found",
        async () => {
          const related = await api<{ items: { id: string }[] }>(`/api/events/${watched}/related`);
          return related.body.items?.some((item) => item.id === alikeId) ? true : undefined;
        },
        15_000,
        200,
      );

      const page = await pageAs(browser, undefined, size, problems);
      await page.goto(`${edge}/watch/${watched}`);
      const shelf = page.getByRole("region", { name: "More like this" });
      const card = shelf
        .getByRole("listitem")
        .filter({ has: page.getByRole("heading", { level: 3, name: alike, exact: true }) });
      await card.waitFor();
      await expect(shelf.getByRole("heading", { name: `${a} ${b} night` }).count()).resolves.toBe(
        0,
      );
      await shelf.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `related-${size}.png`) });
      await card.getByRole("link").first().click();
      await page.waitForURL(`${edge}/watch/${alikeId}`);
      await page.getByRole("heading", { level: 1, name: new RegExp(alike) }).waitFor();
      await page.context().close();
      expect(problems).toEqual([]);
    });
});
