// The live figures of bench:ingest, taken together on one live stream:
//   - glass to glass: the watch page in Chromium (hls.js in low-latency mode), every 250 ms,
//     now against the PROGRAM-DATE-TIME of the frame on screen (when it came in over RTMP);
//   - segment end → listed: a player's blocking reloads for every next part of a rendition; the
//     answer that first lists a segment as complete, against its PROGRAM-DATE-TIME plus its
//     duration (when its last frame had come in);
//   - part written → reload answered: the same answers, against the part file's write time.
// Samples from the first `warmupMs` (the stream and the player starting) are left out.
import { statSync } from "node:fs";
import { join } from "node:path";
import { api } from "@stream-platform/shared/testing";
import type { Browser } from "playwright-core";
import { readPlaylist } from "../../stream-server/test/ll-hls-checks.ts";

export interface LiveFigures {
  glass: number[];
  segmentListed: number[];
  reloadAnswered: number[];
}

export interface LiveRun {
  /** The edge the page and the requests go through. */
  edge: string;
  /** The folder the edge serves /hls/ from (part files' write times). */
  hlsDir: string;
  eventId: string;
  browser: Browser;
  warmupMs: number;
  /** True once the publisher has stopped. */
  until: () => boolean;
  rendition?: string;
}

export async function measureLive(runOptions: LiveRun): Promise<LiveFigures> {
  const from = Date.now() + runOptions.warmupMs;
  const [glass, reloads] = await Promise.all([
    glassToGlass(runOptions, from),
    blockingReloads(runOptions, from),
  ]);
  return { glass, ...reloads };
}

async function glassToGlass(run: LiveRun, from: number): Promise<number[]> {
  // The event exists once the events function heard of the stream.
  const deadline = Date.now() + 30_000;
  while ((await api<{ status?: string }>(`/api/events/${run.eventId}`)).body.status !== "live") {
    if (Date.now() > deadline) throw new Error(`event ${run.eventId} never went live`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const page = await run.browser.newPage();
  // A benchmark's viewing is no one's: the beacons and views are not sent.
  await page.route("**/api/analytics/**", (route) => route.abort());
  await page.goto(`${run.edge}/watch/${run.eventId}`);
  const samples: number[] = [];
  while (!run.until()) {
    const latency = await page.evaluate(() => {
      const { hls } = globalThis as unknown as { hls?: { playingDate: Date | null } };
      const date = hls?.playingDate;
      return date ? Date.now() - date.getTime() : undefined;
    });
    if (latency !== undefined && Date.now() >= from) samples.push(latency);
    await page.waitForTimeout(250);
  }
  await page.close();
  return samples;
}

async function blockingReloads(
  run: LiveRun,
  from: number,
): Promise<{ segmentListed: number[]; reloadAnswered: number[] }> {
  const rendition = run.rendition ?? "480p";
  const playlist = `${run.edge}/hls/${run.eventId}/${rendition}/index.m3u8`;
  const dir = join(run.hlsDir, run.eventId, rendition);
  const segmentListed: number[] = [];
  const reloadAnswered: number[] = [];
  const listed = new Set<number>();
  let next: { msn: number; part: number } | undefined;
  while (!run.until()) {
    const url = next ? `${playlist}?_HLS_msn=${next.msn}&_HLS_part=${next.part}` : playlist;
    const response = await fetch(url);
    const answeredAt = Date.now();
    if (response.status !== 200) {
      // Not there yet (the stream starting), or past its end.
      await response.body?.cancel();
      next = undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    const list = readPlaylist(await response.text());
    const measuring = answeredAt >= from;
    if (next && measuring) {
      const asked = list.segments.find((s) => s.msn === next?.msn)?.parts[next.part];
      if (asked) reloadAnswered.push(answeredAt - statSync(join(dir, asked.uri)).mtimeMs);
    }
    for (const segment of list.segments) {
      if (!segment.uri || listed.has(segment.msn)) continue;
      listed.add(segment.msn);
      // New in a blocking answer: listed the moment it was answered (a plain request's answer
      // lists what came before it was asked).
      if (next && measuring && segment.programDateTime)
        segmentListed.push(answeredAt - (segment.programDateTime + segment.duration * 1000));
    }
    if (list.ended) break;
    const last = list.segments.at(-1);
    if (!last) next = undefined;
    else if (last.uri) next = { msn: last.msn + 1, part: 0 };
    else next = { msn: last.msn, part: last.parts.length };
  }
  return { segmentListed, reloadAnswered };
}
