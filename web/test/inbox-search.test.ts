// Searching one's notifications (issue #26, item 6), in Chromium at a desktop's size and a
// phone's: the bell's panel has a search field; typing words shows the notifications that say
// them all (the event's title, the channel's, the kind's words), a query nothing says is told
// as such, and clearing it brings the inbox back. Screenshots: .data/screenshots/inbox-search-*.png.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { api, newUser, uniqueSlug, until } from "@stream-platform/shared/testing";
import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserForFile, edge, newChannel, pageAs, SIZES, type Size, shots } from "./browser.ts";

let browser: Browser;
const problems: string[] = [];

browserForFile((launched) => {
  browser = launched;
});

describe("searching the inbox", () => {
  for (const size of Object.keys(SIZES) as Size[])
    it(`finds the notifications that say every word typed, in the bell's panel (${size})`, async () => {
      const w = randomBytes(4).toString("hex");
      const creator = await newUser("Stargazer");
      const reader = await newUser("Reader");
      const channel = await newChannel(creator, uniqueSlug("sky"));
      const followed = await api(`/api/subscriptions/channels/${channel.id}`, {
        method: "PUT",
        token: reader.token,
      });
      expect(followed.status).toBe(201);
      for (const title of [`Comet ${w}`, `Eclipse ${w}`]) {
        const event = await api("/api/events", {
          token: creator.token,
          body: {
            channelId: channel.id,
            title,
            startsAt: new Date(Date.now() + 86_400_000).toISOString(),
          },
        });
        expect(event.status).toBe(201);
      }
      await until("both notifications in the inbox", async () => {
        const inbox = await api<{ items: unknown[] }>("/api/me/notifications", {
          token: reader.token,
        });
        return inbox.body.items?.length === 2 ? true : undefined;
      });

      const page = await pageAs(browser, reader, size, problems);
      await page.goto(edge);
      await page.getByRole("button", { name: /^Notifications, \d+ unread$/ }).click();
      const panel = page.getByRole("region", { name: "Notifications" });
      const entries = panel.getByRole("listitem");
      await entries.nth(1).waitFor();
      const search = panel.getByRole("searchbox", { name: "Search notifications" });
      await search.fill(`comet ${w}`);
      await until("only the comet's notification", async () =>
        (await entries.count()) === 1 && (await entries.first().textContent())?.includes("Comet")
          ? true
          : undefined,
      );
      await page.screenshot({ path: join(shots, `inbox-search-${size}.png`) });
      await search.fill(`comet eclipse ${w}`);
      await panel.getByRole("status").filter({ hasText: "No notification says" }).waitFor();
      await expect(entries.count()).resolves.toBe(0);
      await search.fill("");
      await entries.nth(1).waitFor();
      await page.context().close();
      expect(problems).toEqual([]);
    });
});
