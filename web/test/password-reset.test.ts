// Password reset and address verification walked in a real browser (Debian's Chromium,
// headless) against the running platform and the real SMTP server: the links are read from
// Mailpit's inbox and opened as a person would. Screenshots: .data/screenshots/
// {password-reset,verify-email}.png.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { serviceUrls } from "@stream-platform/shared";
import { api, linkIn, newUser, waitForMail } from "@stream-platform/shared/testing";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const edge = serviceUrls().edgeUrl;
const shots = join(import.meta.dirname, "..", "..", ".data", "screenshots");
let browser: Browser;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe("mailed links in the web app", () => {
  it("forgot password: asks for a link, the mailed link sets a new password, sign-in works with it", async () => {
    const user = await newUser("forgetful");
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${edge}/account`);
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.getByRole("heading", { name: "Reset your password" }).waitFor();
    await page.getByLabel("Email").fill(user.email);
    await page.getByRole("button", { name: "Send the link" }).click();
    await page.getByText("is on its way to it").waitFor();

    const link = linkIn(
      await waitForMail(user.email, /^Reset your Stream Platform password$/),
      "/reset-password",
    );
    expect(link.origin).toBe(edge);
    await page.goto(link.href);
    const password = page.getByLabel("New password");
    // A common password is refused next to the field, and what was typed stays.
    await password.fill("password123");
    await page.getByRole("button", { name: "Set the password" }).click();
    await page.getByText("one of the most common passwords").waitFor();
    expect(await password.getAttribute("aria-invalid")).toBe("true");
    expect(await password.inputValue()).toBe("password123");

    const chosen = `new-${user.password}`;
    await password.fill(chosen);
    await page.getByRole("button", { name: "Set the password" }).click();
    await page.getByText("Your password is set").waitFor();
    await page.screenshot({ path: join(shots, "password-reset.png"), fullPage: true });
    // The session from before is over; the new password signs in.
    expect((await api("/api/me", { token: user.token })).status).toBe(401);
    await page.getByRole("link", { name: "Sign in", exact: true }).last().click();
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(chosen);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "forgetful" }).waitFor();
    // The reset came by mail, so the address counts as confirmed: no notice.
    expect(await page.getByText("Please confirm your email address").count()).toBe(0);
    await context.close();
  });

  it("verification at 390 px: the notice after sign-up, the mailed link confirms the address", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const email = `newcomer-${Date.now().toString(36)}@example.org`;
    await page.goto(`${edge}/account?mode=up`);
    await page.getByLabel("Name").fill("newcomer");
    await page.getByLabel("Email").fill(email);
    // Weak first: refused with a reason, next to the field.
    await page.getByLabel("Password").fill("Timothy1987");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByText("too easy to guess").waitFor();
    await page.getByLabel("Password").fill("ochre lantern drifts sideways");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("link", { name: "newcomer" }).waitFor();
    const notice = page.getByText("Please confirm your email address");
    await notice.waitFor();

    const link = linkIn(await waitForMail(email, /^Confirm your email address/), "/verify-email");
    await page.goto(link.href);
    await page.getByText("your address is confirmed").waitFor();
    await notice.waitFor({ state: "detached" });
    await page.screenshot({ path: join(shots, "verify-email.png"), fullPage: true });
    // Used once: the same link again says so.
    await page.reload();
    await page.getByText("This link is not valid").waitFor();
    await context.close();
  });
});
