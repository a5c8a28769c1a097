// A recording starts where the signed-in person stopped watching it (their viewing history).
import { request } from "./api.ts";
import { type HistoryEntry, unfinished } from "./history.ts";
import { mayBeSignedIn } from "./session.ts";

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
