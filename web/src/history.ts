// Viewing history (functions/analytics: /api/me/history): what a signed-in person watched and
// where they stopped. Home's "Continue watching" lists the recordings left unfinished; the
// player starts such a recording where they stopped.
import type { HistoryEntry } from "@stream-platform/shared/api";
import { request } from "./api.ts";
import { mayBeSignedIn } from "./session.ts";

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

/**
 * Starts a recording where the signed-in person stopped, if they stopped part of the way (and
 * have not moved it themselves meanwhile); returns what cancels that.
 */
export function resume(video: HTMLVideoElement, eventId: string): () => void {
  let cancelled = false;
  if (!mayBeSignedIn()) return () => undefined;
  let seek: (() => void) | undefined;
  request<HistoryEntry>(`/api/me/history/${encodeURIComponent(eventId)}`).then(
    (entry) => {
      if (cancelled || !unfinished(entry)) return;
      seek = () => {
        if (video.currentTime < 1) video.currentTime = entry.position;
      };
      if (video.readyState >= HTMLMediaElement.HAVE_METADATA) seek();
      else video.addEventListener("loadedmetadata", seek, { once: true });
    },
    () => undefined, // nothing watched of it (404), or not signed in after all
  );
  return () => {
    cancelled = true;
    if (seek) video.removeEventListener("loadedmetadata", seek);
  };
}
