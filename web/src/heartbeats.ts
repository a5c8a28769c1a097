// Viewer heartbeats (functions/analytics): every 10 s while playing, what was played and how
// long it stalled since the last one; a beacon when the page goes. Beats count only with a view
// token, asked for once per page view: it names an anonymous viewer (the same one again when
// this browser shows its last token) and this session, and, signed in, the person (the API
// takes them from the session cookie), whose viewing history the beats then make.
const BEACONS = "/api/analytics/beacons";
const VIEWS = "/api/analytics/views";
const LAST_TOKEN = "sp-view-token";
const EVERY_MS = 10_000;

interface View {
  token: string;
  expiresAt: string;
}

/**
 * Forgets this browser's last view token, which names the person signed in (and their anonymous
 * viewer): at sign-out, so the next person at this computer is not told who watched before.
 */
export const forgetViewToken = () => localStorage.removeItem(LAST_TOKEN);

/** A view token for this event, or undefined if there is nothing to count (not live yet). */
async function askForView(eventId: string): Promise<View | undefined> {
  const previousToken = localStorage.getItem(LAST_TOKEN) ?? undefined;
  const response = await fetch(VIEWS, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ eventId, ...(previousToken && { previousToken }) }),
  }).catch(() => undefined);
  if (!response?.ok) return undefined;
  const view = (await response.json()) as View;
  localStorage.setItem(LAST_TOKEN, view.token);
  return view;
}

/** Starts counting this video's playback; returns the function that stops it. */
export function startHeartbeats(
  video: HTMLVideoElement,
  eventId: string,
  rendition: () => string | undefined,
): () => void {
  let view: Promise<View | undefined> = askForView(eventId);
  let seq = 0;
  let played = 0;
  let stalled = 0;
  let stalledSince: number | null = null;
  let lastTime: number | null = null;

  const send = (token: string, body: Record<string, unknown>, leaving: boolean) => {
    const text = JSON.stringify({ viewToken: token, ...body });
    if (leaving) navigator.sendBeacon(BEACONS, text);
    else
      fetch(BEACONS, {
        method: "POST",
        body: text,
        keepalive: true,
        headers: { "content-type": "application/json" },
      }).catch(() => undefined);
  };

  const beat = (leaving = false) => {
    const level = rendition();
    const body = {
      seq: seq++,
      position: Math.max(0, video.currentTime || 0),
      playedSeconds: Math.min(600, Math.round(played * 10) / 10),
      bufferingSeconds: Math.min(3600, Math.round(stalled * 10) / 10),
      ...(level && { rendition: level }),
      // A recording's length (a live stream's is infinite): where its end is, for history.
      ...(Number.isFinite(video.duration) &&
        video.duration > 0 && { duration: Math.round(video.duration * 10) / 10 }),
    };
    played = 0;
    stalled = 0;
    void view.then((v) => {
      if (!v) return;
      // Hours of watching outlive a token: a new one (same viewer) for the beats after.
      if (Date.parse(v.expiresAt) - Date.now() < 60_000) view = askForView(eventId);
      send(v.token, body, leaving);
    });
  };

  const onTime = () => {
    const step = lastTime === null ? 0 : video.currentTime - lastTime;
    if (step > 0 && step < 5) played += step;
    lastTime = video.currentTime;
  };
  const onSeeking = () => {
    lastTime = null;
  };
  const onWaiting = () => {
    stalledSince ??= performance.now();
  };
  const onPlaying = () => {
    if (stalledSince !== null) stalled += (performance.now() - stalledSince) / 1000;
    stalledSince = null;
    if (seq === 0) beat(); // playback started: the first beat
  };
  const onLeave = () => {
    if (seq > 0) beat(true);
  };
  video.addEventListener("timeupdate", onTime);
  video.addEventListener("seeking", onSeeking);
  video.addEventListener("waiting", onWaiting);
  video.addEventListener("playing", onPlaying);
  addEventListener("pagehide", onLeave);
  const timer = setInterval(() => {
    if (seq > 0 && !video.paused) beat();
  }, EVERY_MS);

  return () => {
    clearInterval(timer);
    onLeave(); // leaving the watch page within the app is leaving too
    video.removeEventListener("timeupdate", onTime);
    video.removeEventListener("seeking", onSeeking);
    video.removeEventListener("waiting", onWaiting);
    video.removeEventListener("playing", onPlaying);
    removeEventListener("pagehide", onLeave);
  };
}
