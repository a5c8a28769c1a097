// The operator console (issue #28 item 5), in Chromium against the running platform. An account
// without the operator role is refused: the API answers 403 "Operators only" (401 signed out),
// the page says "Operators only" and shows no figures, the header has no Operations link, and
// signed out the page asks to sign in. An operator, while ffmpeg streams a test pattern, reaches
// the console from the header and sees, at a desktop's size and a phone's: the functions table
// with figures from the metrics server, the test stream's health, the consumer lag, and the
// panels drawn as charts (the stream's bitrate among them); a dead letter (a stream.started for a
// channel that does not exist, which the events function refuses with 422) with its reason, and
// Replay, after which it shows as replayed; and from a request's error (a watch page of an event
// that does not exist) a "View trace" link to that request's trace, whose spans the console
// draws. Screenshots: .data/screenshots/ops-*.png.
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { PROBLEM_JSON } from "@stream-platform/shared";
import {
  api,
  newOperator,
  newUser,
  type Publisher,
  postToIngress,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  browserForFile,
  edge,
  goLive,
  newChannel,
  pageAs,
  SIZES,
  type Size,
  shots,
} from "./browser.ts";

let browser: Browser;
let publisher: Publisher | undefined;
const problems: string[] = [];

browserForFile(
  (launched) => {
    browser = launched;
  },
  () => publisher?.process.kill("SIGKILL"),
);

interface Summary {
  functions: { service: string; instances: number }[];
  streams: { event: string; inputKbps: number | null }[];
  deadLetters: { total: number; unreplayed: number };
  traceUrl: string | null;
  metrics: string;
}

interface DeadLetters {
  items: { key: string; id: string; reason: string; replayedAt: string | null }[];
}

/** A page whose uncaught errors and console errors land in `problems`. */
async function watched(...args: Parameters<typeof pageAs>): Promise<Page> {
  const page = await pageAs(...args);
  page.on("console", (message) => {
    // Chromium logs an API's refusal (the missing event's 404) as an error: that is the point.
    if (message.type() === "error" && !/status of 4\d\d/.test(message.text()))
      problems.push(`${page.url()}: ${message.text()}`);
  });
  return page;
}

describe("the operator console", () => {
  it("refuses an account without the operator role, and asks the signed-out to sign in", async () => {
    const someone = await newUser("not-an-operator");
    for (const [method, path] of [
      ["GET", "/api/ops/summary"],
      ["GET", "/api/ops/panels?minutes=60"],
      ["GET", "/api/ops/dead-letters?limit=50"],
      ["POST", "/api/ops/dead-letters/some-key/replay"],
    ] as const) {
      const refused = await api<{ title: string }>(path, { method, token: someone.token });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.headers.get("content-type")).toBe(PROBLEM_JSON);
      expect(refused.body.title).toBe("Operators only");
      // Even a refusal names its trace.
      expect(refused.headers.get("traceresponse")).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-0[01]$/);
      expect((await api(path, { method })).status, `${method} ${path} signed out`).toBe(401);
    }
    const me = await api<{ roles: string[] }>("/api/me", { token: someone.token });
    expect(me.body.roles).toEqual([]);

    for (const size of Object.keys(SIZES) as Size[]) {
      const page = await watched(browser, someone, size, problems);
      await page.goto(`${edge}/ops`);
      await page.getByRole("heading", { name: "Operators only" }).waitFor();
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "Operations",
      );
      // No figures, and no way there from the header.
      for (const id of ["ops-functions", "ops-stream", "dead-letter", "ops-chart"])
        await expect(page.getByTestId(id).count()).resolves.toBe(0);
      await expect(page.getByRole("link", { name: "Operations" }).count()).resolves.toBe(0);
      await page.screenshot({ path: join(shots, `ops-refused-${size}.png`), fullPage: true });
      await page.context().close();
    }

    const out = await watched(browser, undefined, "phone", problems);
    await out.goto(`${edge}/ops`);
    await out.getByRole("main").getByRole("link", { name: "Sign in" }).waitFor();
    await expect(out.getByTestId("ops-functions").count()).resolves.toBe(0);
    await out.context().close();
    expect(problems).toEqual([]);
  });

  describe("for an operator, during a test stream", () => {
    let operator: TestUser;
    let eventId: string;
    /** The dead letter the test made: its event's id. */
    let refusedId: string;

    beforeAll(async () => {
      operator = await newOperator("ops-console");
      const me = await api<{ roles: string[] }>("/api/me", { token: operator.token });
      expect(me.body.roles).toContain("operator");
      const owner = await newUser("ops-streamer");
      const live = await goLive(await newChannel(owner, uniqueSlug("ops")));
      publisher = live.publisher;
      eventId = live.eventId;

      // A stream.started for a channel that does not exist: events refuses it (422), for good.
      refusedId = randomUUID();
      // (A channel id as accounts makes them, of no channel: refused at once, no retries.)
      const channelId = randomUUID();
      expect(
        await postToIngress({
          specversion: "1.0",
          id: refusedId,
          source: "/stream-server",
          type: "streamplatform.stream.started",
          subject: channelId,
          datacontenttype: "application/json",
          data: {
            streamId: `str_${randomBytes(4).toString("hex")}`,
            channelId,
            startedAt: new Date().toISOString(),
          },
          extensions: {},
        }),
      ).toBe(202);
      await until(
        "the dead letter in the console's list",
        async () => {
          const list = await api<DeadLetters>("/api/ops/dead-letters?limit=100", {
            token: operator.token,
          });
          return list.body.items?.some((item) => item.id === refusedId) ? true : undefined;
        },
        60_000,
        500,
      );
      // The stream's figures reach the metrics server (scraped every 5 s).
      await until(
        "the stream in the console's summary",
        async () => {
          const summary = await api<Summary>("/api/ops/summary", { token: operator.token });
          return summary.body.streams?.some((s) => s.event === eventId && (s.inputKbps ?? 0) > 0)
            ? true
            : undefined;
        },
        60_000,
        1000,
      );
    }, 180_000);

    /** The dead letter the test made, as the events function refused it. */
    const ourLetter = (page: Page) =>
      page
        .getByTestId("dead-letter")
        .filter({ has: page.locator("code", { hasText: refusedId }) })
        .filter({ has: page.getByTestId("dead-letter-reason").filter({ hasText: /no channel/i }) })
        .first();

    for (const size of Object.keys(SIZES) as Size[])
      it(`shows functions, the stream's health, lag and charts (${size})`, async () => {
        const page = await watched(browser, operator, size, problems);
        await page.goto(`${edge}/`);
        // From the header: the Operations link is the operator's.
        await page.getByRole("navigation").getByRole("link", { name: "Operations" }).click();
        await page.waitForURL(`${edge}/ops`);
        await page.getByRole("heading", { name: "Operations", level: 1 }).waitFor();

        // Functions: accounts answered this page's /api/me, so it runs and has a rate.
        const accounts = page
          .getByTestId("ops-functions")
          .locator("tbody tr")
          .filter({ has: page.getByRole("rowheader", { name: "accounts", exact: true }) });
        await accounts.waitFor({ timeout: 30_000 });
        await until(
          "a request rate for accounts",
          async () => {
            const rate = (await accounts.getByTestId("function-rate").textContent()) ?? "";
            return /^[\d.]+k?$/.test(rate) && Number.parseFloat(rate) > 0 ? true : undefined;
          },
          45_000,
          500,
        );
        await expect(accounts.getByTestId("function-instances").textContent()).resolves.toMatch(
          /^[1-9]\d*$/,
        );
        await expect(accounts.getByTestId("function-p99").textContent()).resolves.toMatch(
          /^[\d.,]+ (µs|ms|s)$/,
        );
        await expect(accounts.getByTestId("function-errors").textContent()).resolves.toMatch(/ %$/);

        // The test stream: its health and figures.
        const stream = page.locator(`[data-testid="ops-stream"][data-event="${eventId}"]`);
        await stream.waitFor({ timeout: 30_000 });
        await expect(stream.locator(`a[href="/watch/${eventId}"]`).count()).resolves.toBe(1);
        await until(
          "the stream's bitrate and health",
          async () =>
            /kbit\/s$/.test((await stream.getByTestId("stream-bitrate").textContent()) ?? "") &&
            (await stream.getByTestId("stream-health").textContent()) !== "No signal"
              ? true
              : undefined,
          30_000,
          500,
        );
        await expect(stream.getByTestId("stream-fps").textContent()).resolves.toMatch(/ fps$/);

        // Consumer lag, per event source.
        await page.getByRole("heading", { name: "Consumer lag" }).waitFor();

        // The panels as charts; the stream's bitrate among them.
        const charts = page.getByTestId("ops-chart");
        await charts.first().waitFor({ timeout: 30_000 });
        expect(await charts.count()).toBeGreaterThanOrEqual(10);
        const rate = charts.filter({
          has: page.locator("figcaption strong", { hasText: /^Requests per second$/ }),
        });
        await expect(rate.locator("path.series").count()).resolves.toBeGreaterThan(0);
        const ticks = await rate.getByTestId("time-axis").locator("text").allTextContents();
        expect(ticks.length).toBeGreaterThan(0);
        for (const tick of ticks) expect(tick).toMatch(/^\d{1,2}:\d{2}/);
        const bitrate = charts.filter({
          has: page.locator("figcaption strong", { hasText: /^Ingest bitrate$/ }),
        });
        await bitrate.locator(".legend li", { hasText: eventId }).waitFor({ timeout: 45_000 });
        await expect(bitrate.locator("svg desc").textContent()).resolves.toMatch(
          /^Ingest bitrate from .+ to .+, at most [\d.,]+ (k|M)bit\/s; latest: /,
        );

        // The dead letter the test made: its reason, from the sink that refused it.
        const letter = ourLetter(page);
        await letter.waitFor({ timeout: 30_000 });
        await expect(letter.getByTestId("dead-letter-reason").textContent()).resolves.toMatch(
          /no channel/i,
        );
        await page.screenshot({ path: join(shots, `ops-console-${size}.png`), fullPage: true });
        await page.context().close();
        expect(problems).toEqual([]);
      }, 150_000);

    it("replays a dead letter, and shows it replayed", async () => {
      const page = await watched(browser, operator, "desktop", problems);
      await page.goto(`${edge}/ops`);
      const letter = ourLetter(page);
      await letter.waitFor({ timeout: 30_000 });
      const key = await letter.getAttribute("data-key");
      const replay = page.waitForResponse(
        (r) =>
          r.url().endsWith(`/api/ops/dead-letters/${key}/replay`) &&
          r.request().method() === "POST",
      );
      await letter.getByRole("button", { name: "Replay" }).click();
      expect((await replay).status()).toBe(202);
      await letter.getByTestId("replayed").waitFor();
      await expect(letter.getByRole("button", { name: "Replay" }).count()).resolves.toBe(0);
      await letter.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, "ops-replayed-desktop.png") });
      // The API says so too (until the replayed event is refused again, as this one will be).
      const listed = await api<DeadLetters>("/api/ops/dead-letters?limit=100", {
        token: operator.token,
      });
      const item = listed.body.items.find((i) => i.key === key);
      expect(item?.id).toBe(refusedId);
      expect(item?.reason).toMatch(/no channel/i);
      await page.context().close();
      expect(problems).toEqual([]);
    }, 60_000);

    it("links a request's error to its trace", async () => {
      const page = await watched(browser, operator, "desktop", problems);
      // An event that does not exist; the request asks the edge to keep its trace (flag 01), as
      // the README's curl does: the edge keeps only one new trace in ten by itself.
      const missing = `evt_${randomBytes(8).toString("hex")}`;
      const traceId = randomBytes(16).toString("hex");
      await page.route(`${edge}/api/events/${missing}`, (route) =>
        route.continue({
          headers: {
            ...route.request().headers(),
            traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01`,
          },
        }),
      );
      const answered = page.waitForResponse(`${edge}/api/events/${missing}`);
      await page.goto(`${edge}/watch/${missing}`);
      const answer = await answered;
      expect(answer.status()).toBeGreaterThanOrEqual(400);
      expect((await answer.allHeaders()).traceresponse).toMatch(new RegExp(`^00-${traceId}-`));
      await page.getByRole("heading", { name: "This event is not here" }).waitFor();
      const link = page.getByRole("link", { name: "View trace" });
      await link.waitFor();
      const summary = await api<Summary>("/api/ops/summary", { token: operator.token });
      const template = summary.body.traceUrl ?? "";
      expect(template).toContain("{traceId}");
      await expect(link.getAttribute("href")).resolves.toBe(template.replace("{traceId}", traceId));
      await page.screenshot({ path: join(shots, "ops-error-trace-link-desktop.png") });

      // The console's own trace page (when the template is one of its pages): the spans.
      if (template.startsWith("/")) {
        await link.click();
        await page.waitForURL(`${edge}${template.replace("{traceId}", traceId)}`);
        await page.getByRole("heading", { name: "Trace", level: 1 }).waitFor();
        await page.getByTestId("span").first().waitFor({ timeout: 45_000 });
        await expect(page.getByTestId("trace-summary").textContent()).resolves.toMatch(
          /^\d+ spans? over .+, in .+/,
        );
        await page.screenshot({ path: join(shots, "ops-trace-desktop.png"), fullPage: true });
      }
      await page.context().close();
      expect(problems).toEqual([]);
    }, 90_000);
  });
});
