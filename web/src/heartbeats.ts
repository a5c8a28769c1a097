// Viewer heartbeats (functions/analytics): every 10 s while playing, what was played and how
// long it stalled since the last one; a beacon when the page goes. The viewer id is anonymous
// and kept in this browser; each page view is a session.
const BEACONS = "/api/analytics/beacons";
const EVERY_MS = 10_000;

function viewerId(): string {
  const saved = localStorage.getItem("sp-viewer");
  if (saved) return saved;
  const id = `v-${crypto.randomUUID().replace(/-/g, "")}`;
  localStorage.setItem("sp-viewer", id);
  return id;
}

/** Starts counting this video's playback; returns the function that stops it. */
export function startHeartbeats(
  video: HTMLVideoElement,
  eventId: string,
  rendition: () => string | undefined,
): () => void {
  const viewer = viewerId();
  const sessionId = `s-${crypto.randomUUID().replace(/-/g, "")}`;
  let seq = 0;
  let played = 0;
  let stalled = 0;
  let stalledSince: number | null = null;
  let lastTime: number | null = null;

  const beat = (leaving = false) => {
    const level = rendition();
    const body = JSON.stringify({
      eventId,
      viewerId: viewer,
      sessionId,
      seq: seq++,
      position: Math.max(0, video.currentTime || 0),
      playedSeconds: Math.min(600, Math.round(played * 10) / 10),
      bufferingSeconds: Math.min(3600, Math.round(stalled * 10) / 10),
      ...(level && { rendition: level }),
    });
    played = 0;
    stalled = 0;
    if (leaving) navigator.sendBeacon(BEACONS, body);
    else
      fetch(BEACONS, {
        method: "POST",
        body,
        keepalive: true,
        headers: { "content-type": "application/json" },
      }).catch(() => undefined);
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
