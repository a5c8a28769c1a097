// Notification choices on the account page, in a real browser (Debian's Chromium, headless)
// against the running platform: email all off at first, recommended events on; a box is saved
// as it is ticked (the API says so, and it stays so after a reload). Screenshot:
// .data/screenshots/email-preferences.png.
import { join } from "node:path";
import { api, newUser } from "@stream-platform/shared/testing";
import type { Browser } from "playwright-core";
import { expect, it } from "vitest";
import { browserForFile, edge, pageAs, shots } from "./browser.ts";

let browser: Browser;

browserForFile((launched) => {
  browser = launched;
});

it("turns 'live now' mail on from the account page, and only it", async () => {
  const user = await newUser("mail-chooser");
  const problems: string[] = [];
  const page = await pageAs(browser, user, "desktop", problems);
  await page.goto(`${edge}/account`);
  const group = page.getByRole("group", { name: "Email me" });
  const live = group.getByRole("checkbox", { name: /"Live now"/ });
  // Enabled once the saved choices arrived.
  const loaded = () => page.locator("form.email-preferences fieldset:not([disabled])").waitFor();
  await loaded();
  for (const box of await group.getByRole("checkbox").all())
    expect(await box.isChecked()).toBe(false);

  await live.check();
  await group.getByRole("status").getByText("Saved.").waitFor();
  const saved = await api("/api/me/notifications/email", { token: user.token });
  expect(saved.body).toEqual({ reminders: false, live: true, digest: false });

  await page.reload();
  await loaded();
  expect(await live.isChecked()).toBe(true);
  expect(await group.getByRole("checkbox", { name: /Reminders/ }).isChecked()).toBe(false);
  await page.screenshot({ path: join(shots, "email-preferences.png"), fullPage: true });
  expect(problems).toEqual([]);
  await page.context().close();
});

it("turns recommended-event notifications off from the account page (on until then)", async () => {
  const user = await newUser("inbox-chooser");
  const problems: string[] = [];
  const page = await pageAs(browser, user, "desktop", problems);
  await page.goto(`${edge}/account`);
  const group = page.getByRole("group", { name: "Notify me" });
  const recommended = group.getByRole("checkbox", { name: /new events like what I watch/ });
  const loaded = () => page.locator("form.inbox-settings fieldset:not([disabled])").waitFor();
  await loaded();
  expect(await recommended.isChecked()).toBe(true);

  await recommended.uncheck();
  await group.getByRole("status").getByText("Saved.").waitFor();
  const saved = await api("/api/me/notifications/settings", { token: user.token });
  expect(saved.body).toEqual({ recommendations: false });

  await page.reload();
  await loaded();
  expect(await recommended.isChecked()).toBe(false);
  expect(problems).toEqual([]);
  await page.context().close();
});
