// Rough edges a new user met (issue #24, items 4, 5, 8 and 9), walked in Chromium against the
// running platform, at a desktop's size and a phone's (390 × 844) where layout matters: the
// header around sign-in, the bell's panel on a phone, the keyboard and screen-reader paths (the
// skip link, search suggestions as a combobox), and form errors said once, next to their field,
// in a person's words. Screenshots: .data/screenshots/polish-*.png.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { api, newUser, uniqueSlug, until } from "@stream-platform/shared/testing";
import type { Browser, Locator, Page } from "playwright-core";
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
} from "./browser.ts";

let browser: Browser;
const problems: string[] = [];

browserForFile((launched) => {
  browser = launched;
});

// Page-side code as functions (the page's CSP refuses strings to evaluate); this file is
// type-checked for Node, so the DOM is described as far as used.
interface PageElement {
  id: string;
  textContent: string | null;
  closest(selector: string): PageElement | null;
}
const focused = () => {
  const element = (globalThis as unknown as { document: { activeElement: PageElement | null } })
    .document.activeElement;
  return {
    id: element?.id ?? "",
    text: element?.textContent?.trim() ?? "",
    inMain: Boolean(element?.closest("main")),
  };
};

const SIZE_NAMES = Object.keys(SIZES) as Size[];
const search = (page: Page) => page.getByRole("combobox", { name: "Search events" });
const suggestions = (page: Page) => page.getByRole("listbox", { name: "Suggestions" });

describe("web app polish (#24)", () => {
  for (const size of SIZE_NAMES) {
    it(`header around sign-in: Sign in / Sign up signed out on /account and /dashboard; the form follows ?mode=up both ways (${size})`, async () => {
      const page = await pageAs(browser, undefined, size, problems);
      const header = page.getByRole("navigation", { name: "Account" });
      const main = page.getByRole("main");
      const heading = main.getByRole("heading", { level: 1 });
      const mode = () => new URL(page.url()).searchParams.get("mode");

      await page.goto(`${edge}/account`);
      await header.getByRole("link", { name: "Sign in" }).waitFor();
      await header.getByRole("link", { name: "Sign up" }).waitFor();
      // The dashboard sends a signed-out person to sign in (and back afterwards): same header.
      await page.goto(`${edge}/dashboard`);
      await page.waitForURL(
        (url) => url.pathname === "/account" && url.searchParams.get("next") === "/dashboard",
      );
      await header.getByRole("link", { name: "Sign in" }).waitFor();
      await header.getByRole("link", { name: "Sign up" }).waitFor();
      await expect(heading.textContent()).resolves.toBe("Sign in");

      // The form's own link: the sign-up form, its URL saying so, `next` kept.
      await main.getByRole("link", { name: "Create an account" }).click();
      await main.getByRole("heading", { name: "Create an account" }).waitFor();
      expect(mode()).toBe("up");
      expect(new URL(page.url()).searchParams.get("next")).toBe("/dashboard");
      await main.getByRole("button", { name: "Sign up" }).waitFor();
      await main.getByLabel("Name").waitFor();

      // The header's links switch the form too, and Back and Forward keep them in step.
      await header.getByRole("link", { name: "Sign in" }).click();
      await main.getByRole("heading", { name: "Sign in" }).waitFor();
      expect(mode()).toBeNull();
      await expect(main.getByLabel("Name").count()).resolves.toBe(0);
      await header.getByRole("link", { name: "Sign up" }).click();
      await main.getByRole("heading", { name: "Create an account" }).waitFor();
      expect(mode()).toBe("up");
      await main.getByLabel("Name").waitFor();
      await page.screenshot({ path: join(shots, `polish-sign-up-${size}.png`) });
      await page.goBack();
      await main.getByRole("heading", { name: "Sign in" }).waitFor();
      expect(mode()).toBeNull();
      await page.goForward();
      await main.getByRole("heading", { name: "Create an account" }).waitFor();
      await main.getByRole("link", { name: "Sign in" }).click();
      await main.getByRole("heading", { name: "Sign in" }).waitFor();
      expect(mode()).toBeNull();
      await main.getByRole("button", { name: "Sign in" }).waitFor();
      expect(problems).toEqual([]);
    });

    it(`the bell's panel opens fully on screen (${size})`, async () => {
      const creator = await newUser("Bellmaker");
      const viewer = await newUser("Belle");
      const channel = await newChannel(creator, uniqueSlug("bell"));
      const follow = await api(`/api/subscriptions/channels/${channel.id}`, {
        method: "PUT",
        token: viewer.token,
      });
      expect(follow.status).toBe(201);
      for (const n of [1, 2, 3]) await newEvent(creator, channel.id, `Bell test ${n}`);
      await until(
        "three notifications in the inbox",
        async () => {
          const inbox = await api<{ items: unknown[] }>("/api/me/notifications", {
            token: viewer.token,
          });
          return (inbox.body.items?.length ?? 0) >= 3 ? true : undefined;
        },
        60_000,
        250,
      );

      const page = await pageAs(browser, viewer, size, problems);
      await page.goto(edge);
      await page.getByRole("button", { name: /^Notifications, 3 unread/ }).click();
      const panel = page.getByRole("region", { name: "Notifications" });
      await panel.getByRole("link", { name: /Bell test 1/ }).waitFor();
      const box = await panel.boundingBox();
      const { width, height } = SIZES[size].viewport;
      expect(box).not.toBeNull();
      if (!box) return;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      expect(box.y + box.height).toBeLessThanOrEqual(height);
      await page.screenshot({ path: join(shots, `polish-bell-${size}.png`) });
      // And it is usable there: a notification opens its event.
      await panel.getByRole("link", { name: /Bell test 2/ }).click();
      await page.getByRole("heading", { level: 1, name: /Bell test 2/ }).waitFor();
      expect(problems).toEqual([]);
    });

    it(`form errors read as a person would write them, once, next to their field, keeping what was typed (${size})`, async () => {
      const other = await newUser("Taken");
      const taken = await newChannel(other, uniqueSlug("taken"));
      const page = await pageAs(browser, undefined, size, problems);
      const main = page.getByRole("main");
      await page.goto(`${edge}/account?mode=up`);

      // Spaces for a name and an address the browser takes but the API does not.
      const name = main.getByLabel("Name");
      const email = main.getByLabel("Email");
      const password = main.getByLabel("Password");
      const address = `polish-${randomBytes(5).toString("hex")}@example`;
      const secret = `pw-${randomBytes(8).toString("hex")}`;
      await name.fill("   ");
      await email.fill(address);
      await password.fill(secret);
      await main.getByRole("button", { name: "Sign up" }).click();
      await expectFieldError(name, "Enter your name");
      await expectFieldError(email, "Enter an email address like name@example.com");
      await expect(main.getByRole("alert").count()).resolves.toBe(0);
      await expect(main.getByText(/Too small|expected|Invalid/).count()).resolves.toBe(0);
      await expect(email.inputValue()).resolves.toBe(address);
      await expect(password.inputValue()).resolves.toBe(secret);
      // Focus is on the first field in error, so a screen reader reads its message.
      await expect(page.evaluate(focused)).resolves.toMatchObject({ id: "f-displayName" });
      await page.screenshot({ path: join(shots, `polish-form-errors-${size}.png`) });

      // Put right, the account is made.
      await name.fill("Polly");
      await email.fill(`${address}.org`);
      await main.getByRole("button", { name: "Sign up" }).click();
      await page
        .getByRole("navigation", { name: "Account" })
        .getByRole("link", { name: "Polly" })
        .waitFor();

      // The dashboard's forms: a channel without a title, then with an address already taken.
      await page.goto(`${edge}/dashboard`);
      const title = main.getByLabel("Title");
      const slug = main.getByLabel(/Address/);
      const about = main.getByLabel("About");
      await title.fill("   ");
      await slug.fill(taken.slug);
      await about.fill("All about polish");
      await main.getByRole("button", { name: "Create channel" }).click();
      await expectFieldError(title, "Enter a title");
      await expect(slug.inputValue()).resolves.toBe(taken.slug);
      await expect(about.inputValue()).resolves.toBe("All about polish");
      await title.fill("Polish");
      await main.getByRole("button", { name: "Create channel" }).click();
      await expectFieldError(slug, "This address is taken: choose another");
      await expect(title.getAttribute("aria-invalid")).resolves.toBeNull();
      await expect(title.inputValue()).resolves.toBe("Polish");
      await slug.fill(uniqueSlug("polish"));
      await main.getByRole("button", { name: "Create channel" }).click();

      // An event without a title: the other fields keep what was typed.
      await main.getByRole("button", { name: "Schedule an event" }).click();
      const form = main.getByRole("form", { name: "Schedule an event" });
      const eventTitle = form.getByLabel("Title", { exact: true });
      await eventTitle.fill("   ");
      await form.getByLabel("Description").fill("Bring snacks");
      await form.getByLabel(/Tags/).fill("space, launch");
      await form.getByRole("button", { name: "Schedule", exact: true }).click();
      await expectFieldError(eventTitle, "Enter a title");
      await expect(form.getByLabel("Description").inputValue()).resolves.toBe("Bring snacks");
      await expect(form.getByLabel(/Tags/).inputValue()).resolves.toBe("space, launch");
      await eventTitle.fill("Polished launch");
      await form.getByRole("button", { name: "Schedule", exact: true }).click();
      await main.getByRole("link", { name: "Polished launch" }).waitFor();

      // A problem that is no field's is said once too, in words, above the button.
      await page.goto(`${edge}/account`);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page
        .getByRole("navigation", { name: "Account" })
        .getByRole("link", { name: "Sign in" })
        .click();
      await main.getByLabel("Email").fill(`${address}.org`);
      await main.getByLabel("Password").fill("not the password");
      await main.getByRole("button", { name: "Sign in" }).click();
      await main.getByRole("alert").filter({ hasText: "wrong email or password" }).waitFor();
      await expect(main.getByText(/wrong email or password/).count()).resolves.toBe(1);
      await expect(main.getByLabel("Email").inputValue()).resolves.toBe(`${address}.org`);
      expect(problems).toEqual([]);
    }, 90_000);
  }

  it("keyboard: Skip to content moves focus to the page's content", async () => {
    const page = await pageAs(browser, undefined, "desktop", problems);
    await page.goto(`${edge}/account`);
    await page.getByRole("main").getByLabel("Email").waitFor();
    await page.keyboard.press("Tab");
    await expect(page.evaluate(focused)).resolves.toMatchObject({ text: "Skip to content" });
    const link = await page.getByRole("link", { name: "Skip to content" }).boundingBox();
    expect(link?.x).toBeGreaterThanOrEqual(0);
    await page.keyboard.press("Enter");
    await expect(page.evaluate(focused)).resolves.toMatchObject({ id: "main" });
    // Tab goes on from the content, not from the header.
    await page.keyboard.press("Tab");
    await expect(page.evaluate(focused)).resolves.toMatchObject({ id: "f-email", inMain: true });
    expect(problems).toEqual([]);
  });

  it("keyboard: search suggestions are a combobox; arrows choose, Enter opens, Escape closes, Tab reaches them and they stay", async () => {
    const owner = await newUser("Suggester");
    const word = `quokka${randomBytes(4).toString("hex")}`;
    const channel = await newChannel(owner, uniqueSlug("suggest"));
    const ids = new Map<string, string>();
    for (const name of ["alpha", "beta", "gamma"]) {
      const title = `${word} ${name}`;
      ids.set(title, await newEvent(owner, channel.id, title));
    }
    // Indexing goes through Kafka.
    await until(
      "the suggestions",
      async () => {
        const found = await api<{ suggestions?: unknown[] }>(`/api/search/suggest?q=${word}`);
        return found.body.suggestions?.length === 3 ? true : undefined;
      },
      60_000,
      250,
    );
    /** The event of the suggestion the combobox (or list) marks as chosen. */
    const chosen = async (page: Page, from: Locator) => {
      const id = await from.getAttribute("aria-activedescendant");
      expect(id).toBeTruthy();
      const option = page.locator(`[id="${id}"]`);
      await expect(option.getAttribute("role")).resolves.toBe("option");
      await expect(option.getAttribute("aria-selected")).resolves.toBe("true");
      const text = (await option.textContent()) ?? "";
      const title = [...ids.keys()].find((t) => text.startsWith(t));
      expect(title).toBeDefined();
      return { id, title: title ?? "", eventId: ids.get(title ?? "") };
    };

    const page = await pageAs(browser, undefined, "desktop", problems);
    // The page's timers are the test's to run: a list closing on a timer would show.
    await page.clock.install();
    await page.goto(edge);
    const box = search(page);
    const list = suggestions(page);
    await expect(box.getAttribute("aria-expanded")).resolves.toBe("false");
    const controls = await box.getAttribute("aria-controls");
    await expect(page.locator(`[id="${controls}"]`).getAttribute("role")).resolves.toBe("listbox");
    await box.focus();
    await page.keyboard.type(word);
    await page.clock.runFor(500);
    await list.waitFor();
    await expect(list.getByRole("option").count()).resolves.toBe(3);
    await expect(box.getAttribute("aria-expanded")).resolves.toBe("true");
    await expect(box.getAttribute("aria-activedescendant")).resolves.toBeNull();

    // ArrowDown, ArrowDown, ArrowUp: the first, the second, the first again; typing stays there.
    await page.keyboard.press("ArrowDown");
    const first = await chosen(page, box);
    await page.keyboard.press("ArrowDown");
    const second = await chosen(page, box);
    expect(second.id).not.toBe(first.id);
    await page.keyboard.press("ArrowUp");
    await expect(chosen(page, box)).resolves.toEqual(first);
    await expect(page.evaluate(focused)).resolves.toMatchObject({ id: "search-q" });
    await page.screenshot({ path: join(shots, "polish-suggestions-desktop.png") });

    // Escape closes; ArrowDown opens again; Enter opens the chosen event.
    await page.keyboard.press("Escape");
    await list.waitFor({ state: "hidden" });
    await expect(box.getAttribute("aria-expanded")).resolves.toBe("false");
    await expect(box.inputValue()).resolves.toBe(word);
    await page.keyboard.press("ArrowDown");
    await list.waitFor();
    const opened = await chosen(page, box);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${edge}/watch/${opened.eventId}`);
    await page.getByRole("heading", { level: 1, name: opened.title }).waitFor();

    // Tab from the box reaches the list, which stays while focus is in it (time passes), and
    // takes the same keys.
    await box.focus();
    await box.fill(word);
    await page.clock.runFor(500);
    await list.waitFor();
    await page.keyboard.press("Tab");
    await expect(page.evaluate(focused)).resolves.toMatchObject({
      id: await list.getAttribute("id"),
    });
    await page.clock.runFor(5_000);
    await expect(list.isVisible()).resolves.toBe(true);
    const top = await chosen(page, list);
    await page.keyboard.press("ArrowDown");
    const next = await chosen(page, list);
    expect(next.id).not.toBe(top.id);
    await page.keyboard.press("Escape");
    await list.waitFor({ state: "hidden" });
    await expect(page.evaluate(focused)).resolves.toMatchObject({ id: "search-q" });
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowDown");
    const picked = await chosen(page, list);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${edge}/watch/${picked.eventId}`);

    // Focus leaving the box and its list closes it.
    await box.fill(word);
    await page.clock.runFor(500);
    await list.waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await list.waitFor({ state: "hidden" });
    await expect(box.getAttribute("aria-expanded")).resolves.toBe("false");

    // On a phone, a tap on a suggestion opens it.
    const phone = await pageAs(browser, undefined, "phone", problems);
    await phone.goto(edge);
    await search(phone).fill(word);
    await suggestions(phone).getByRole("option").nth(2).waitFor();
    const third = (await suggestions(phone).getByRole("option").nth(2).textContent()) ?? "";
    const title = [...ids.keys()].find((t) => third.startsWith(t)) ?? "";
    const listBox = await suggestions(phone).boundingBox();
    expect((listBox?.x ?? -1) >= 0 && (listBox?.x ?? 0) + (listBox?.width ?? 0) <= 390).toBe(true);
    await phone.screenshot({ path: join(shots, "polish-suggestions-phone.png") });
    await suggestions(phone).getByRole("option").nth(2).tap();
    await phone.waitForURL(`${edge}/watch/${ids.get(title)}`);
    expect(problems).toEqual([]);
  }, 120_000);
});
