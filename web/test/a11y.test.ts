// An accessibility audit of every page of the web app: axe-core (from npm, served to the page
// from the test, never part of the app's bundle) run in Chromium against the running platform,
// at a desktop's size and a phone's (390 × 844), signed out and in: home, search (results and the
// suggestions open), watch (upcoming, live, recording), home's Continue watching and the
// account's History, channel, account (sign in, sign up with
// field errors, signed in), following (signed out, and with a channel and an event followed),
// the pages mailed links open (forgot and reset password, verify email), dashboard (idle, while
// live with its stream's preview and health, and after the stream), the operator console (signed
// out, refused to an account without the role, and an operator's while a stream is live), the
// bell's panel, an unknown page.
// No serious or critical violation may remain; lesser ones are printed. The page's own CSP stays
// on: axe is served from the page's origin. Screenshots: .data/screenshots/a11y-*.png.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  api,
  liveStream,
  newOperator,
  newUser,
  type Publisher,
  publishTestPattern,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import type { AxeResults } from "axe-core";
import type { Browser, Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
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

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);
const AXE_PATH = "/__axe-core.js";

let browser: Browser;
let publisher: Publisher | undefined;
const problems: string[] = [];
/** Serious and critical violations, by page: what the tests expect to be empty. */
const serious: string[] = [];

browserForFile(
  (launched) => {
    browser = launched;
  },
  () => publisher?.process.kill("SIGKILL"),
);

interface Finding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe's findings on the page as it is now (the page's code, as a function: CSP). */
const runAxe = async (): Promise<Finding[]> => {
  const page = globalThis as unknown as {
    axe: { run(context: unknown, options: unknown): Promise<AxeResults> };
    document: unknown;
  };
  const results = await page.axe.run(page.document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact ?? "unknown",
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary ?? ""}`),
  }));
};

/** A page at `size` (signed in as `user`, or out) that can load axe from its own origin. */
async function auditedPage(user: TestUser | undefined, size: Size): Promise<Page> {
  const page = await pageAs(browser, user, size, problems);
  await page.route(`${edge}${AXE_PATH}`, (route) =>
    route.fulfill({ contentType: "text/javascript", body: axeSource }),
  );
  return page;
}

/**
 * Opens `url` until `ready` shows: a page that met the platform restarting a function or the
 * stream-server (others work on the same machine) is reloaded, as a person would.
 */
async function open(page: Page, url: string, ready: (page: Page) => Locator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.goto(url);
    const shown = await ready(page)
      .waitFor({ timeout: 30_000 })
      .then(
        () => true,
        () => false,
      );
    if (shown) return;
    if (attempt === 3) {
      await page.screenshot({ path: join(shots, "a11y-failure.png"), fullPage: true });
      throw new Error(`${url} never got ready: ${await page.textContent("body")}`);
    }
  }
}

/** Waits until nothing on the page says it is loading. */
async function settled(page: Page): Promise<void> {
  await until(
    `${page.url()} to finish loading`,
    async () => ((await page.getByText(/^Loading\b.*…$/).count()) === 0 ? true : undefined),
    30_000,
    100,
  );
}

/** Audits the page as it is now, under `name`; keeps a screenshot. */
async function audit(page: Page, name: string, size: Size): Promise<void> {
  await settled(page);
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.addScriptTag({ url: AXE_PATH });
  const findings = await page.evaluate(runAxe);
  await page.screenshot({ path: join(shots, `a11y-${name}-${size}.png`), fullPage: true });
  const lesser = findings.filter((f) => f.impact !== "serious" && f.impact !== "critical");
  if (lesser.length > 0)
    console.log(`${name} (${size}): ${lesser.map((f) => `${f.id} (${f.impact})`).join(", ")}`);
  for (const f of findings)
    if (f.impact === "serious" || f.impact === "critical")
      serious.push(`${name} (${size}): ${f.id} (${f.impact}) ${f.help}\n  ${f.nodes.join("\n  ")}`);
}

const SIZE_NAMES = Object.keys(SIZES) as Size[];
const word = `audit${randomBytes(4).toString("hex")}`;
let creator: TestUser;
let channel: { id: string; slug: string; streamKey: string };
let upcoming: string;
/** Follows the channel and the upcoming event: their Following page has both lists. */
let fan: TestUser;

describe("accessibility audit (axe-core)", () => {
  beforeAll(async () => {
    creator = await newUser("Auditor");
    channel = await newChannel(creator, uniqueSlug("a11y"));
    upcoming = await newEvent(creator, channel.id, `Audit ${word} upcoming`);
    await newEvent(creator, channel.id, `Audit ${word} later`);
    fan = await newUser("Follower");
    for (const path of [`channels/${channel.id}`, `events/${upcoming}`])
      expect(
        (await api(`/api/subscriptions/${path}`, { method: "PUT", token: fan.token })).status,
      ).toBe(201);
    // Search and suggestions find them once indexed (through Kafka).
    await until(
      "the events in search",
      async () => {
        const found = await api<{ suggestions?: unknown[] }>(`/api/search/suggest?q=${word}`);
        return found.body.suggestions?.length === 2 ? true : undefined;
      },
      60_000,
      250,
    );
  });

  it("every page without a stream, desktop and phone: no serious or critical violation", async () => {
    for (const size of SIZE_NAMES) {
      const out = await auditedPage(undefined, size);
      await open(out, edge, (p) => p.getByRole("main").getByRole("heading").first());
      await audit(out, "home", size);

      await open(out, `${edge}/search?q=${word}`, (p) =>
        p.getByRole("heading", { name: `Audit ${word} upcoming` }),
      );
      await audit(out, "search", size);

      await out.getByRole("combobox", { name: "Search events" }).fill(word);
      await out.getByRole("listbox", { name: "Suggestions" }).getByRole("option").first().waitFor();
      await out.keyboard.press("ArrowDown");
      await audit(out, "suggestions", size);

      await open(out, `${edge}/watch/${upcoming}`, (p) =>
        p.getByRole("heading", { level: 2, name: /^Chat( replay)?$/ }),
      );
      await audit(out, "watch-upcoming", size);

      await open(out, `${edge}/c/${channel.slug}`, (p) =>
        p.getByRole("heading", { name: `Channel ${channel.slug}` }),
      );
      await audit(out, "channel", size);

      await open(out, `${edge}/account`, (p) => p.getByRole("button", { name: "Sign in" }));
      await audit(out, "sign-in", size);

      await open(out, `${edge}/account?mode=up`, (p) => p.getByLabel("Name"));
      await out.getByLabel("Name").fill(" ");
      await out.getByLabel("Email").fill("someone@example");
      await out.getByLabel("Password").fill("long enough, surely");
      await out.getByRole("button", { name: "Sign up" }).click();
      await out.getByText("Enter your name").waitFor();
      await audit(out, "sign-up-errors", size);

      await open(out, `${edge}/following`, (p) =>
        p.getByText("to see the channels and events you follow"),
      );
      await audit(out, "following-signed-out", size);

      const follower = await auditedPage(fan, size);
      await open(follower, `${edge}/following`, (p) =>
        p.getByRole("region", { name: "Reminders" }).getByRole("listitem"),
      );
      await audit(follower, "following", size);
      await follower.context().close();

      await open(out, `${edge}/no-such-page`, (p) => p.getByRole("heading", { name: "Not found" }));
      await audit(out, "unknown", size);

      // The pages mailed links open (a reset link whose token is not one, too).
      await open(out, `${edge}/forgot-password`, (p) =>
        p.getByRole("heading", { name: "Reset your password" }),
      );
      await audit(out, "forgot-password", size);
      await open(out, `${edge}/reset-password#token=not-a-token`, (p) =>
        p.getByRole("heading", { name: "Choose a new password" }),
      );
      await audit(out, "reset-password", size);
      await open(out, `${edge}/verify-email#token=not-a-token`, (p) =>
        p.getByRole("heading", { name: "Confirm your email address" }),
      );
      await audit(out, "verify-email", size);

      const studio = await auditedPage(creator, size);
      await open(studio, `${edge}/dashboard`, (p) =>
        p.getByRole("heading", { name: "Chat moderation" }),
      );
      await audit(studio, "dashboard", size);
      // The edit form of a scheduled event, its poster refused (a text file, refused before it
      // is sent: the event keeps no poster).
      await studio.getByRole("button", { name: `Edit “Audit ${word} upcoming”` }).click();
      await studio.getByLabel(/^Poster/).setInputFiles({
        name: "notes.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("not a picture"),
      });
      await studio.getByText("Choose a JPEG, PNG or WebP picture").waitFor();
      await audit(studio, "dashboard-poster", size);

      await open(studio, `${edge}/account`, (p) => p.getByRole("button", { name: "Sign out" }));
      await audit(studio, "account", size);

      // The operator console: asks the signed-out to sign in, refuses anyone without the role.
      await open(out, `${edge}/ops`, (p) =>
        p.getByRole("main").getByRole("link", { name: "Sign in" }),
      );
      await audit(out, "ops-signed-out", size);
      await open(studio, `${edge}/ops`, (p) => p.getByRole("heading", { name: "Operators only" }));
      await audit(studio, "ops-refused", size);

      await open(studio, edge, (p) => p.getByRole("button", { name: /^Notifications/ }));
      await studio.getByRole("button", { name: /^Notifications/ }).click();
      await studio.getByRole("region", { name: "Notifications" }).waitFor();
      await audit(studio, "bell", size);
      await out.context().close();
      await studio.context().close();
    }
    expect(serious).toEqual([]);
    expect(problems).toEqual([]);
  }, 240_000);

  it("a live event and its recording, desktop and phone: no serious or critical violation", async () => {
    const operator = await newOperator("Auditor-operator");
    publisher = publishTestPattern(channel.streamKey, { seconds: 180, size: "640x360" });
    const live = await until("the stream to go live", () => liveStream(channel.id), 60_000, 200);
    await until("the event to be live", async () => {
      const event = await api<{ status: string }>(`/api/events/${live.eventId}`);
      return event.body.status === "live" ? true : undefined;
    });
    for (const size of SIZE_NAMES) {
      const viewer = await auditedPage(undefined, size);
      await open(viewer, `${edge}/watch/${live.eventId}`, (p) =>
        p.getByRole("heading", { level: 2, name: /^Chat( replay)?$/ }),
      );
      await viewer.getByRole("combobox", { name: /Quality/ }).waitFor({ timeout: 45_000 });
      await audit(viewer, "watch-live", size);

      await viewer.goto(edge);
      await viewer
        .getByRole("region", { name: "Live now" })
        .getByRole("listitem")
        .first()
        .waitFor();
      await audit(viewer, "home-live", size);

      const studio = await auditedPage(creator, size);
      await open(studio, `${edge}/dashboard`, (p) => p.getByRole("region", { name: "Viewers" }));
      // The stream's preview and health too (a chunk of their own): its figures, or no signal.
      await studio
        .getByTestId("stream-health")
        .locator(".health, .no-signal")
        .waitFor({ timeout: 30_000 });
      await audit(studio, "dashboard-live", size);
      // The operator console while the stream is live: its health, the functions, the charts.
      const operations = await auditedPage(operator, size);
      await open(operations, `${edge}/ops`, (p) =>
        p.locator(`[data-testid="ops-stream"][data-event="${live.eventId}"]`),
      );
      await operations.getByTestId("ops-chart").first().waitFor({ timeout: 30_000 });
      await audit(operations, "ops-live", size);
      await operations.context().close();
      await viewer.context().close();
      await studio.context().close();
    }

    // The stream ends (as OBS stops) and becomes a recording.
    publisher.process.kill("SIGINT");
    await publisher.exited;
    await until(
      "the recording",
      async () => {
        const event = await api<{ status: string; vodPath?: string }>(
          `/api/events/${live.eventId}`,
        );
        return event.body.status === "ended" && event.body.vodPath ? true : undefined;
      },
      120_000,
      500,
    );
    // The follower watched part of it signed in (a beacon as the player sends one): home's
    // Continue watching and the account's History list it.
    const view = await api<{ token: string }>("/api/analytics/views", {
      token: fan.token,
      body: { eventId: live.eventId },
    });
    expect(view.status).toBe(201);
    const beat = { viewToken: view.body.token, seq: 1, position: 5, playedSeconds: 5 };
    expect((await api("/api/analytics/beacons", { body: { ...beat, duration: 600 } })).status).toBe(
      202,
    );
    await until("the follower's history", async () => {
      const entry = await api(`/api/me/history/${live.eventId}`, { token: fan.token });
      return entry.status === 200 ? true : undefined;
    });
    for (const size of SIZE_NAMES) {
      const viewer = await auditedPage(undefined, size);
      await open(viewer, `${edge}/watch/${live.eventId}`, (p) =>
        p.getByRole("heading", { name: "Chat replay" }),
      );
      await viewer.locator("video").waitFor();
      await audit(viewer, "watch-recording", size);
      await viewer.context().close();
      // The dashboard keeps the stream's viewers panel: its final figures and chart.
      const studio = await auditedPage(creator, size);
      await open(studio, `${edge}/dashboard`, (p) => p.getByTestId("final-figures"));
      await audit(studio, "dashboard-ended", size);
      await studio.context().close();
      const watcher = await auditedPage(fan, size);
      await open(watcher, edge, (p) =>
        p.getByRole("region", { name: "Continue watching" }).getByRole("link").first(),
      );
      await audit(watcher, "home-continue-watching", size);
      await open(watcher, `${edge}/account`, (p) =>
        p.getByRole("region", { name: "History" }).getByRole("button", { name: "Clear history" }),
      );
      await audit(watcher, "account-history", size);
      await watcher.context().close();
    }
    expect(serious).toEqual([]);
    expect(problems).toEqual([]);
  }, 300_000);
});
