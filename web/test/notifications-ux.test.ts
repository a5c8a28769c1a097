// The bell and what it tells (issue #24, item 7), walked in Chromium against the running
// platform at a desktop's size and a phone's (390 × 844): its panel closes on Escape (focus back
// on the bell), a click outside it and going to another page; a stream on a channel with nothing
// scheduled is one notification, naming the channel; the tab's title leads with the unread
// count, and loses it once read; desktop notifications are asked for only from the panel's
// switch, and then a notification arriving while the tab is hidden is shown on the desktop,
// naming the channel, and opens the event when clicked. The page's Notification is wrapped (an
// init script) to see what it is asked; the browser context grants the permission.
// Screenshots: .data/screenshots/bell-*.png.
import { join } from "node:path";
import {
  api,
  newUser,
  type Publisher,
  type TestUser,
  uniqueSlug,
} from "@stream-platform/shared/testing";
import type { Browser, Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import {
  browserForFile,
  consoleErrorsInto,
  edge,
  goLive,
  newChannel,
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

// Page-side code as functions (the page's CSP refuses strings to evaluate); this file is
// type-checked for Node, so the page is described as far as used.
interface Shown {
  title: string;
  tag?: string;
  notification: { dispatchEvent(event: unknown): boolean };
}
type NotificationClass = (new (
  title: string,
  options?: { tag?: string },
) => Shown["notification"]) & { requestPermission(): Promise<string> };
interface PageGlobals {
  Notification: NotificationClass;
  Document: { prototype: object };
  Event: new (type: string) => unknown;
  document: {
    title: string;
    activeElement: { getAttribute(name: string): string | null } | null;
    dispatchEvent(event: unknown): boolean;
  };
  shown: Shown[];
  permissionRequests: number;
  setHidden(hidden: boolean): void;
}

/**
 * Before the app's code: records each desktop notification and permission request (the real
 * Notification still does the work), and lets the test say the tab is hidden (a headless tab is
 * always visible).
 */
const observeNotifications = () => {
  const page = globalThis as unknown as PageGlobals;
  page.shown = [];
  page.permissionRequests = 0;
  page.Notification = new Proxy(page.Notification, {
    construct(real, args: [string, { tag?: string }?]) {
      const notification = Reflect.construct(real, args) as Shown["notification"];
      page.shown.push({ title: args[0], tag: args[1]?.tag, notification });
      return notification;
    },
    get(real, name) {
      if (name !== "requestPermission") return Reflect.get(real, name);
      return () => {
        page.permissionRequests++;
        return real.requestPermission();
      };
    },
  });
  let hidden = false;
  Object.defineProperty(page.Document.prototype, "visibilityState", {
    get: () => (hidden ? "hidden" : "visible"),
  });
  Object.defineProperty(page.Document.prototype, "hidden", { get: () => hidden });
  page.setHidden = (value) => {
    hidden = value;
    page.document.dispatchEvent(new page.Event("visibilitychange"));
  };
};

const permissionRequests = () => (globalThis as unknown as PageGlobals).permissionRequests;
const focusedLabel = () =>
  (globalThis as unknown as PageGlobals).document.activeElement?.getAttribute("aria-label");
const setHidden = (hidden: boolean) => (globalThis as unknown as PageGlobals).setHidden(hidden);
const shownSoFar = () =>
  (globalThis as unknown as PageGlobals).shown.map(({ title, tag }) => ({ title, tag }));
const clickShown = () => {
  const page = globalThis as unknown as PageGlobals;
  page.shown[0]?.notification.dispatchEvent(new page.Event("click"));
};
const titleIs = (title: string) => (globalThis as unknown as PageGlobals).document.title === title;

const bell = (page: Page) => page.getByRole("button", { name: /^Notifications, \d+ unread$/ });
const panel = (page: Page) => page.getByRole("region", { name: "Notifications" });

/** Opens the panel (from closed). */
async function openPanel(page: Page) {
  await bell(page).click();
  await panel(page).waitFor();
}

describe("the bell (#24 item 7)", () => {
  for (const size of Object.keys(SIZES) as Size[]) {
    it(`closes on Escape, outside and on navigation; one notification naming the channel for an unscheduled stream, in the title and on the desktop (${size})`, async () => {
      const creator: TestUser = await newUser("Belled");
      const viewer: TestUser = await newUser("Ringer");
      const channel = await newChannel(creator, uniqueSlug("ring"));
      const channelTitle = `Channel ${channel.slug}`;
      const followed = await api(`/api/subscriptions/channels/${channel.id}`, {
        method: "PUT",
        token: viewer.token,
      });
      expect(followed.status).toBe(201);

      const page = await pageAs(browser, viewer, size, problems, {
        permissions: ["notifications"],
      });
      consoleErrorsInto(page, problems);
      await page.addInitScript(observeNotifications);
      await page.goto(edge);
      await page.getByRole("button", { name: "Notifications, 0 unread" }).waitFor();
      expect(await page.title()).toBe("Stream Platform");
      // Nothing asked of the browser on loading the page.
      expect(await page.evaluate(permissionRequests)).toBe(0);

      // Escape closes the panel and gives the focus back to the bell.
      await openPanel(page);
      await page.keyboard.press("Escape");
      await panel(page).waitFor({ state: "detached" });
      expect(await page.evaluate(focusedLabel)).toBe("Notifications, 0 unread");
      await expect(bell(page).getAttribute("aria-expanded")).resolves.toBe("false");
      // A click outside it (into the search box) closes it.
      await openPanel(page);
      await page.getByLabel("Search events").click();
      await panel(page).waitFor({ state: "detached" });
      // So does going to another page (back, here: no click anywhere).
      await page.getByRole("link", { name: "Ringer", exact: true }).click();
      await page.waitForURL(`${edge}/account`);
      await openPanel(page);
      await page.goBack();
      await page.waitForURL(`${edge}/`);
      await panel(page).waitFor({ state: "detached" });

      // Desktop notifications: off until switched on in the panel, which asks the browser then.
      await openPanel(page);
      const desktop = panel(page).getByRole("checkbox", { name: "Show desktop notifications" });
      await expect(desktop.isChecked()).resolves.toBe(false);
      await desktop.check();
      await expect(desktop.isChecked()).resolves.toBe(true);
      expect(await page.evaluate(permissionRequests)).toBe(1);
      await page.screenshot({ path: join(shots, `bell-panel-${size}.png`) });
      await page.keyboard.press("Escape");
      await panel(page).waitFor({ state: "detached" });

      // The tab is hidden; the channel goes live with nothing scheduled.
      await page.evaluate(setHidden, true);
      const live = await goLive(channel);
      publisher = live.publisher;
      const said = `${channelTitle} is live: Live now`;
      await page.getByRole("button", { name: "Notifications, 1 unread" }).waitFor({
        timeout: 30_000,
      });
      await page.waitForFunction(titleIs, "(1) Stream Platform");
      await openPanel(page);
      // One notification (not a "New event" as well), naming the channel.
      await expect(panel(page).getByRole("listitem").allTextContents()).resolves.toEqual([
        expect.stringContaining(said),
      ]);
      await page.screenshot({ path: join(shots, `bell-live-${size}.png`) });
      await page.keyboard.press("Escape");
      const inbox = await api<{ items: { eventId: string; kind: string }[] }>(
        "/api/me/notifications",
        { token: viewer.token },
      );
      expect(inbox.body.items.map((n) => [n.eventId, n.kind])).toEqual([
        [live.eventId, "event.live"],
      ]);
      // And on the desktop, once: clicking it opens the event, read then.
      const shown = await page.evaluate(shownSoFar);
      expect(shown).toEqual([{ title: said, tag: expect.stringMatching(/^ntf_/) }]);
      await page.evaluate(setHidden, false);
      await page.evaluate(clickShown);
      await page.waitForURL(`${edge}/watch/${live.eventId}`);
      await page.getByRole("button", { name: "Notifications, 0 unread" }).waitFor();
      await page.waitForFunction(
        () => !(globalThis as unknown as PageGlobals).document.title.startsWith("("),
      );
      expect(await page.title()).toMatch(/Stream Platform$/);
      expect(problems).toEqual([]);
    }, 180_000);
  }
});
