// Viewing history (functions/analytics: /api/me/history): what a signed-in person watched and
// where they stopped. Home's "Continue watching" lists the recordings left unfinished; the
// player starts such a recording where they stopped (resume.ts). No DOM here: unit-tested in
// Node.
import type { HistoryEntry } from "@stream-platform/shared/api";

export type { HistoryEntry };

/** Closer to the end than this is finished (credits, the last seconds of a stream). */
const END_SECONDS = 10;

/** A recording watched part of the way: worth continuing. */
export const unfinished = (e: HistoryEntry): e is HistoryEntry & { duration: number } =>
  e.status === "ended" &&
  e.duration !== undefined &&
  e.position >= 1 &&
  e.position < Math.min(e.duration - END_SECONDS, e.duration * 0.95);

/** "4:05", "1:02:03". */
export function clock(seconds: number): string {
  const s = Math.floor(seconds);
  const mmss = `${Math.floor((s % 3600) / 60)}:${String(s % 60).padStart(2, "0")}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss.padStart(5, "0")}` : mmss;
}
