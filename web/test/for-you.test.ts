// "For you" (issue #26's Done when), walked in Chromium at a desktop's size and a phone's: a
// person watches part of two recordings of one category; others watched one of them and another
// recording of that category, or the second and a recording of another category. Home then
// shows the person "Continue watching" (their two) and a "For you" shelf led by the recording of
// their category that those who watched what they watched also watched, saying so ("Because
// you watched …"), every card with a picture and a reason; signed out, there is no such shelf.
// The watched recording's page shows "More like this". The history goes analytics → Kafka →
// the recommendations function: the shelf is looked at again until it has caught up.
// Screenshots: .data/screenshots/for-you-*.png.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { VideoEvent } from "@stream-platform/shared/api";
import {
  api,
  endedEvent,
  newUser,
  type Publisher,
  type TestUser,
  until,
  watchAs,
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
const problems: string[] = [];
const publishers: Publisher[] = [];

browserForFile(
  (launched) => {
    browser = launched;
  },
  () => {
    for (const publisher of publishers) publisher.process.kill("SIGKILL");
  },
);

const run = randomBytes(4).toString("hex");
/** The person's category, and another one; of this run only (categories are free text). */
const BIRDS = `Birding ${run}`;
const CHESS = `Chess ${run}`;

interface Recording {
  id: string;
  title: string;
  /** Its length in seconds, as a player would report it. */
  duration: number;
}

/**
 * A recording of `category` on a channel of `owner`: a stream of at most 40 s, named and filed
 * while live (an ended event no longer changes), then ended with its recording.
 */
async function record(owner: TestUser, title: string, category: string): Promise<Recording> {
  const channel = await newChannel(owner, `for-you-${randomBytes(5).toString("hex")}`);
  const live = await goLive(channel, 40);
  publishers.push(live.publisher);
  const named = await api(`/api/events/${live.eventId}`, {
    method: "PATCH",
    token: owner.token,
    body: { title, category },
  });
  expect(named.status).toBe(200);
  await live.publisher.exited;
  const ended = await until(
    `the recording of ${title}`,
    async () => {
      const event = (await api<VideoEvent>(`/api/events/${live.eventId}`)).body;
      return event.status === "ended" && event.vodPath ? event : undefined;
    },
    120_000,
    500,
  );
  const started = Date.parse(ended.startedAt ?? ended.startsAt);
  const duration = (Date.parse(ended.endsAt ?? "") - started) / 1000;
  expect(duration).toBeGreaterThan(15);
  return { id: ended.id, title, duration };
}

/** An event of `category` that went live and ended with no stream behind it (no encoder). */
async function endedWithoutRecording(
  owner: TestUser,
  title: string,
  category: string,
): Promise<Recording> {
  const channel = await newChannel(owner, `for-you-${randomBytes(5).toString("hex")}`);
  const id = await endedEvent(owner.token, { channelId: channel.id, title, category });
  return { id, title, duration: 300 };
}

/**
 * `user` watched `seconds` of the recording in all and stopped a third of the way in, as their
 * player reports it (a view token naming them, a beacon).
 */
const watched = (user: TestUser, recording: Recording, seconds = 45) =>
  watchAs(user.token, recording.id, seconds, {
    position: Math.floor(recording.duration / 3),
    duration: recording.duration,
  });

let person: TestUser;
/** The person watched these two (birding); `alike` is birding too, `other` chess. */
let first: Recording;
let second: Recording;
let alike: Recording;
let other: Recording;

beforeAll(async () => {
  const owner = await newUser("ForYouCreator");
  // Three real recordings (the ones a card must play); the other taste's is an event ended
  // without a stream: one encoder fewer on a machine the other heavy tests share.
  [first, second, alike, other] = await Promise.all([
    record(owner, `Herons at dawn ${run}`, BIRDS),
    record(owner, `Owls by night ${run}`, BIRDS),
    record(owner, `Kingfishers ${run}`, BIRDS),
    endedWithoutRecording(owner, `Endgames ${run}`, CHESS),
  ]);
  person = await newUser("ForYou");
  const others = await Promise.all(Array.from({ length: 4 }, (_, n) => newUser(`ForYouOther${n}`)));
  // Three who watched the first also watched Kingfishers; one who watched the second also
  // watched Endgames: co-watching ranks Kingfishers first for the person.
  await Promise.all([
    ...others.slice(0, 3).flatMap((viewer) => [watched(viewer, first), watched(viewer, alike)]),
    watched(others[3] as TestUser, second),
    watched(others[3] as TestUser, other),
    watched(person, first),
    watched(person, second),
  ]);
}, 240_000);

/** The home page, reloaded until For you is led by `eventId`: the shelf. */
async function forYouLedBy(page: Page, eventId: string) {
  const shelf = page.getByRole("region", { name: "For you" });
  const lead = shelf.getByRole("listitem").first().locator(`a[href="/watch/${eventId}"]`).first();
  await until(
    "For you to be led by the recording of the person's category",
    async () => {
      await page.goto(`${edge}/`);
      return (await lead
        .waitFor({ timeout: 3000 })
        .then(() => true)
        .catch(() => false))
        ? true
        : undefined;
    },
    120_000,
    2000,
  );
  return shelf;
}

describe("for you", () => {
  it("is not on a signed-out home page", async () => {
    const page = await pageAs(browser, undefined, "desktop", problems);
    await page.goto(`${edge}/`);
    await page
      .getByRole("region", { name: "Recent recordings" })
      .getByRole("listitem")
      .first()
      .waitFor();
    await expect(page.getByRole("region", { name: "For you" }).count()).resolves.toBe(0);
    await expect(page.getByRole("region", { name: "Continue watching" }).count()).resolves.toBe(0);
    await page.context().close();
    expect(problems).toEqual([]);
  });

  for (const size of Object.keys(SIZES) as Size[])
    it(`leads with the person's category, every card pictured and explained; More like this (${size})`, async () => {
      const page = await pageAs(browser, person, size, problems);
      const shelf = await forYouLedBy(page, alike.id);

      // Continue watching: the two they stopped part of the way, above For you.
      const continuing = page.getByRole("region", { name: "Continue watching" });
      for (const recording of [first, second])
        await continuing.getByRole("link", { name: recording.title }).waitFor();
      const above = await continuing.boundingBox();
      const below = await shelf.boundingBox();
      expect(above && below && above.y < below.y).toBe(true);

      // For you: never what they watched; the lead says why; every card has its picture (the
      // poster, or the generated one) and a reason.
      for (const recording of [first, second])
        await expect(shelf.locator(`a[href="/watch/${recording.id}"]`).count()).resolves.toBe(0);
      const cards = shelf.getByRole("listitem");
      await expect(cards.first().locator(".card-note").textContent()).resolves.toBe(
        `Because you watched ${first.title}`,
      );
      const count = await cards.count();
      for (let n = 0; n < count; n++) {
        const card = cards.nth(n);
        await expect(card.locator("img.poster, .poster-fallback").count()).resolves.toBe(1);
        await expect(card.locator(".card-note").textContent()).resolves.toMatch(/\S/);
      }
      await expect(cards.first().locator("img.poster").count()).resolves.toBe(1);
      await page.screenshot({ path: join(shots, `for-you-home-${size}.png`) });
      await shelf.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `for-you-shelf-${size}.png`) });

      // The watched recording's page: More like this, with the other birding recordings.
      await page.goto(`${edge}/watch/${first.id}`);
      const related = page.getByRole("region", { name: "More like this" });
      await related.locator(`a[href="/watch/${alike.id}"]`).first().waitFor({ timeout: 30_000 });
      await related.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `for-you-more-like-this-${size}.png`) });
      await page.context().close();
      expect(problems).toEqual([]);
    }, 180_000);
});
