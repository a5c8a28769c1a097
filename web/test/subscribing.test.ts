// Subscribing (issue #24, item 10), walked in Chromium against the running platform at a
// desktop's size and a phone's (390 × 844): the subscriber count beside Subscribe follows
// Subscribe and Unsubscribe at once; a creator's own channel offers the dashboard, not Subscribe;
// "Notify me" on an upcoming event toggles, and the event's going live then reaches that person's
// inbox; Following lists the channels and the events one follows (and says what to do when
// empty, or to sign in). Screenshots: .data/screenshots/subscribing-*.png.
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
import { afterEach, describe, expect, it } from "vitest";
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
let publisher: Publisher | undefined;

afterEach(() => {
  publisher?.process.kill("SIGKILL");
  publisher = undefined;
});

browserForFile((launched) => {
  browser = launched;
});

/** A page as `pageAs` makes it, whose console errors land in `problems` too. */
async function open(user: TestUser | undefined, size: Size): Promise<Page> {
  const page = await pageAs(browser, user, size, problems);
  consoleErrorsInto(page, problems);
  return page;
}

const count = (page: Page) => page.getByTestId("subscriber-count");

describe("subscribing (#24 item 10)", () => {
  for (const size of Object.keys(SIZES) as Size[]) {
    it(`the count follows Subscribe and Unsubscribe; no Subscribe on one's own channel; Following lists the channel (${size})`, async () => {
      const [creator, viewer] = await Promise.all([newUser("Creator"), newUser("Fan")]);
      const channel = await newChannel(creator, uniqueSlug("subs"));
      const title = `Channel ${channel.slug}`;
      const eventId = await newEvent(creator, channel.id, "Subscribing show");

      // Signed out: Subscribe asks to sign in; Following does too.
      const out = await open(undefined, size);
      await out.goto(`${edge}/c/${channel.slug}`);
      await out.getByRole("button", { name: "Sign in to subscribe" }).waitFor();
      await out.goto(`${edge}/following`);
      await out.getByRole("link", { name: "Sign in" }).first().waitFor();
      await out.getByText("to see the channels and events you follow").waitFor();

      // The viewer follows nothing yet: Following says what to do.
      const fan = await open(viewer, size);
      await fan.goto(`${edge}/following`);
      await fan.getByText("You follow nothing yet.").waitFor();
      await fan.screenshot({ path: join(shots, `subscribing-following-empty-${size}.png`) });

      // Subscribe: the count beside it goes from 0 to 1 without a reload, and back.
      await fan.goto(`${edge}/c/${channel.slug}`);
      await count(fan).filter({ hasText: "0 subscribers" }).waitFor();
      await fan.getByRole("button", { name: "Subscribe", exact: true }).click();
      const subscribed = fan.getByRole("button", { name: "Subscribed", exact: true });
      await subscribed.waitFor();
      await expect(subscribed.getAttribute("aria-pressed")).resolves.toBe("true");
      await count(fan).filter({ hasText: "1 subscriber" }).waitFor();
      await expect(count(fan).getAttribute("aria-live")).resolves.toBe("polite");
      await fan.screenshot({ path: join(shots, `subscribing-channel-${size}.png`) });

      // The watch page shows the same count beside the same button.
      await fan.goto(`${edge}/watch/${eventId}`);
      await count(fan).filter({ hasText: "1 subscriber" }).waitFor();
      await subscribed.waitFor();

      // Following (from the header) lists the channel, leading to its page.
      await fan
        .getByRole("navigation", { name: "Account" })
        .getByRole("link", { name: "Following" })
        .click();
      await fan.getByRole("heading", { level: 1, name: "Following" }).waitFor();
      const listed = fan
        .getByRole("region", { name: "Channels" })
        .getByRole("link", { name: title, exact: true });
      await listed.waitFor();
      await fan.screenshot({ path: join(shots, `subscribing-following-${size}.png`) });
      await listed.click();
      await fan.getByRole("heading", { level: 1, name: title }).waitFor();
      expect(new URL(fan.url()).pathname).toBe(`/c/${channel.slug}`);

      await subscribed.click();
      await fan.getByRole("button", { name: "Subscribe", exact: true }).waitFor();
      await count(fan).filter({ hasText: "0 subscribers" }).waitFor();
      await expect(
        api(`/api/channels/${channel.id}/subscribers/count`).then((r) => r.body.count),
      ).resolves.toBe(0);

      // The creator's own channel and event: their count, a way to the dashboard, no Subscribe
      // and no Notify me.
      const studio = await open(creator, size);
      for (const path of [`/c/${channel.slug}`, `/watch/${eventId}`]) {
        await studio.goto(`${edge}${path}`);
        const dashboard = studio.getByRole("link", { name: "Your channel: open the dashboard" });
        await dashboard.waitFor();
        await count(studio).filter({ hasText: "0 subscribers" }).waitFor();
        await expect(studio.getByRole("button", { name: /Subscribe/ }).count()).resolves.toBe(0);
        await expect(studio.getByRole("button", { name: "Notify me" }).count()).resolves.toBe(0);
        await studio.screenshot({
          path: join(shots, `subscribing-own-${path.split("/")[1]}-${size}.png`),
          fullPage: true,
        });
      }
      expect(problems).toEqual([]);
      await Promise.all([out, fan, studio].map((page) => page.context().close()));
    }, 120_000);

    it(`Notify me toggles, shows on Following, and the event's going live reaches that person (${size})`, async () => {
      const [creator, viewer] = await Promise.all([newUser("Host"), newUser("Reminded")]);
      const channel = await newChannel(creator, uniqueSlug("notify"));
      // Half an hour ahead: the stream the creator starts soon belongs to this event.
      const title = `Notify ${uniqueSlug("show")}`;
      const created = await api<{ id: string }>("/api/events", {
        token: creator.token,
        body: {
          channelId: channel.id,
          title,
          startsAt: new Date(Date.now() + 30 * 60_000).toISOString(),
        },
      });
      expect(created.status).toBe(201);
      const eventId = created.body.id;

      // Signed out, Notify me leads to sign-in and back here.
      const out = await open(undefined, size);
      await out.goto(`${edge}/watch/${eventId}`);
      await out.getByRole("button", { name: "Sign in to be notified" }).click();
      await out.getByRole("button", { name: "Sign in", exact: true }).waitFor();
      const url = new URL(out.url());
      expect(url.pathname).toBe("/account");
      expect(url.searchParams.get("next")).toBe(`/watch/${eventId}`);

      const fan = await open(viewer, size);
      await fan.goto(`${edge}/watch/${eventId}`);
      const notify = fan.getByRole("button", { name: "Notify me" });
      const cancel = fan.getByRole("button", { name: "Cancel reminder" });
      const note = fan.getByText("You'll be notified when it starts.");
      await notify.click();
      await cancel.waitFor();
      await note.waitFor();
      await fan.screenshot({ path: join(shots, `subscribing-notify-${size}.png`), fullPage: true });
      await cancel.click();
      await notify.waitFor();
      await expect(note.count()).resolves.toBe(0);
      await notify.click();
      await cancel.waitFor();
      const mine = await api<{ items: { target: { kind: string; id: string } }[] }>(
        "/api/me/subscriptions",
        { token: viewer.token },
      );
      expect(mine.body.items.map((item) => item.target)).toEqual([{ kind: "event", id: eventId }]);

      // Following lists the event under Reminders, leading to its page.
      await fan
        .getByRole("navigation", { name: "Account" })
        .getByRole("link", { name: "Following" })
        .click();
      const reminders = fan.getByRole("region", { name: "Reminders" });
      const listed = reminders.getByRole("link", { name: title });
      await listed.waitFor();
      await reminders.getByText("Upcoming", { exact: true }).waitFor();
      await expect(fan.getByRole("region", { name: "Channels" }).textContent()).resolves.toContain(
        "No channels yet",
      );
      await fan.screenshot({ path: join(shots, `subscribing-following-event-${size}.png`) });
      await listed.click();
      await cancel.waitFor();
      expect(new URL(fan.url()).pathname).toBe(`/watch/${eventId}`);

      // The creator goes live: the event's follower (not the channel's) hears of it.
      const live = await goLive(channel);
      publisher = live.publisher;
      expect(live.eventId).toBe(eventId);
      await until(
        "the live notification in the follower's inbox",
        async () => {
          const inbox = await api<{ items: { kind: string; eventId: string }[] }>(
            "/api/me/notifications",
            { token: viewer.token },
          );
          return inbox.body.items.some((n) => n.kind === "event.live" && n.eventId === eventId)
            ? true
            : undefined;
        },
        30_000,
        250,
      );
      // Following the channel too, Following says it is live now and leads to the stream.
      expect(
        (
          await api(`/api/subscriptions/channels/${channel.id}`, {
            method: "PUT",
            token: viewer.token,
          })
        ).status,
      ).toBe(201);
      await fan.goto(`${edge}/following`);
      await fan
        .getByRole("region", { name: "Channels" })
        .getByRole("link", { name: `Live now: ${title}` })
        .click();
      await fan.getByRole("heading", { level: 1, name: new RegExp(title) }).waitFor();
      expect(new URL(fan.url()).pathname).toBe(`/watch/${eventId}`);
      expect(problems).toEqual([]);
      await Promise.all([out, fan].map((page) => page.context().close()));
    }, 150_000);
  }
});
