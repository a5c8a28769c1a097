// A creator gives a scheduled event a poster from the dashboard (#26 item 4), in Chromium at a
// desktop's size and a phone's: the edit form shows the event's picture (the drawn one at first)
// and a file input; a 6 MiB picture is refused before anything is sent, a text file named .png
// is refused by the API (415) in words next to the field, a real PNG (made by ffmpeg) is saved
// and shown at once; then the event's card on its channel page and its watch page show it.
// Screenshots: .data/screenshots/poster-upload-*.png.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VideoEvent } from "@stream-platform/shared/api";
import { api, newUser, uniqueSlug, until } from "@stream-platform/shared/testing";
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  browserForFile,
  consoleErrorsInto,
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
const files = mkdtempSync(join(tmpdir(), "poster-upload-"));

browserForFile(
  (launched) => {
    browser = launched;
  },
  () => rmSync(files, { recursive: true, force: true }),
);

const uploadPath = (eventId: string) => `/api/streams/events/${eventId}/poster`;

/**
 * A page whose uncaught errors and console errors land in `problems`, but for the console's
 * note of a refused upload (Chromium logs every 4xx answer): refusals are what is tested here.
 */
async function watched(user: Parameters<typeof pageAs>[1], size: Size): Promise<Page> {
  const page = await pageAs(browser, user, size, problems);
  consoleErrorsInto(page, problems, /\/api\/streams\/events\/[^/]+\/poster$/);
  return page;
}

/** The page-side image (this file is type-checked for Node: no DOM types). */
interface PageImage {
  complete: boolean;
  naturalHeight: number;
  currentSrc: string;
}

describe("a poster uploaded from the dashboard", () => {
  it("is checked, refused in words, or saved and shown on the event's pages", async () => {
    // A real PNG, 640 × 480 (4:3: the poster is cropped to 16:9); a text file named as a PNG; a
    // PNG-named file of 6 MiB (its bytes are never read: it is refused by its size).
    const png = join(files, "poster.png");
    writeFileSync(
      png,
      execFileSync("ffmpeg", [
        ...["-v", "error", "-f", "lavfi", "-i", "testsrc=size=640x480:rate=1"],
        ...["-frames:v", "1", "-c:v", "png", "-f", "image2pipe", "-"],
      ]),
    );
    const text = join(files, "notes.png");
    writeFileSync(text, "Not a picture: the notes for the show.\n");
    const huge = join(files, "huge.png");
    writeFileSync(huge, Buffer.alloc(6 * 1024 * 1024));

    const owner = await newUser("poster");
    const channel = await newChannel(owner, uniqueSlug("poster"));
    for (const size of Object.keys(SIZES) as Size[]) {
      const title = `Poster ${size} ${uniqueSlug("p")}`;
      const eventId = await newEvent(owner, channel.id, title);
      const studio = await watched(owner, size);
      const uploads: number[] = [];
      studio.on("response", (response) => {
        if (response.url() === `${edge}${uploadPath(eventId)}`) uploads.push(response.status());
      });
      await studio.goto(`${edge}/dashboard`);
      await studio.getByRole("button", { name: `Edit “${title}”` }).click();
      const form = studio.getByRole("form", { name: "Edit the event" });
      const field = form.getByLabel("Poster (a JPEG, PNG or WebP picture of up to 5 MB)");
      await expect(field.getAttribute("type")).resolves.toBe("file");
      await expect(field.getAttribute("accept")).resolves.toBe("image/jpeg,image/png,image/webp");
      // No poster yet: the picture the cards draw.
      const preview = form.locator(".poster-preview");
      await preview.locator(".poster-fallback").waitFor();

      // Too large: said next to the field, nothing sent.
      await field.setInputFiles(huge);
      await expectFieldError(field, "This picture is 6.0 MB: choose one of at most 5 MB");
      expect(uploads).toEqual([]);
      await studio.screenshot({ path: join(shots, `poster-upload-too-large-${size}.png`) });

      // Not a PNG, whatever its name: the API's 415, in words, next to the field.
      await field.setInputFiles(text);
      await expectFieldError(field, "This file is not really a PNG picture: choose another");
      expect(uploads).toEqual([415]);
      await studio.screenshot({ path: join(shots, `poster-upload-refused-${size}.png`) });

      // A real picture: saved, and shown at once (the answer's small poster).
      await field.setInputFiles(png);
      await form.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      expect(uploads).toEqual([415, 202]);
      await expect(field.getAttribute("aria-invalid")).resolves.toBeNull();
      const shown = preview.locator("img.poster");
      await until(
        "the new poster to load",
        async () =>
          (await shown.evaluate((i) => {
            const image = i as unknown as PageImage;
            return image.complete && image.naturalHeight > 0;
          })) || undefined,
        20_000,
        100,
      );
      const src = await shown.getAttribute("src");
      expect(src).toMatch(/^\/hls\/posters\/[\w-]+-small\.jpg$/);
      await expect(preview.locator(".poster-fallback").count()).resolves.toBe(0);
      await studio.screenshot({ path: join(shots, `poster-upload-saved-${size}.png`) });

      // The event has it within a second or two (it goes by Kafka to the events function).
      const event = await until(
        "the event to have its poster",
        async () => {
          const read = await api<VideoEvent>(`/api/events/${eventId}`);
          return read.body.posterSmallUrl === src ? read.body : undefined;
        },
        15_000,
        100,
      );
      expect(event.posterUrl).toBe((src ?? "").replace(/-small\.jpg$/, ".jpg"));

      // Its card on the channel page shows it.
      const visitor = await watched(undefined, size);
      await visitor.goto(`${edge}/c/${channel.slug}`);
      const card = visitor.getByRole("listitem").filter({ hasText: title });
      const cardImage = card.locator("img.poster");
      await cardImage.scrollIntoViewIfNeeded();
      await until(
        "the card's poster to load",
        async () =>
          (await cardImage.evaluate((i) => {
            const image = i as unknown as PageImage;
            return image.complete && image.naturalHeight > 0 ? image.currentSrc : "";
          })) || undefined,
        20_000,
        100,
      );
      await expect(cardImage.getAttribute("src")).resolves.toMatch(/^\/hls\/posters\//);
      await visitor.screenshot({ path: join(shots, `poster-upload-card-${size}.png`) });

      // Its watch page shows it behind when it starts.
      await visitor.goto(`${edge}/watch/${eventId}`);
      const placeholder = visitor.locator(".player.placeholder");
      await placeholder.getByText(/^Starts /).waitFor();
      await expect(
        placeholder.evaluate(
          (e) =>
            (
              globalThis as unknown as {
                getComputedStyle(e: unknown): { backgroundImage: string };
              }
            ).getComputedStyle(e).backgroundImage,
        ),
      ).resolves.toContain(`${edge}${event.posterUrl}`);
      await visitor.screenshot({ path: join(shots, `poster-upload-watch-${size}.png`) });
      await Promise.all([studio, visitor].map((p) => p.context().close()));
    }
    expect(problems).toEqual([]);
  }, 180_000);
});
