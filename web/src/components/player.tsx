// The video player: hls.js (loaded only on a watch page; low-latency HLS on a live event, with
// the whole event to seek back in and a button back to live), a quality menu with "auto"
// (saying which quality it plays), how far behind the camera it plays, a share button,
// keyboard shortcuts, sound on unless the browser refuses (then a cue to unmute), and viewer
// heartbeats.
import type Hls from "hls.js";
import { useEffect, useRef, useState } from "preact/hooks";
import { startHeartbeats } from "../heartbeats.ts";
import { resume } from "../resume.ts";
import { LIVE_HLS, loadHls } from "./hls.ts";

interface Level {
  index: number;
  height: number;
}

declare global {
  interface Window {
    /** The page's hls.js instance and its last fatal error: for debugging (and the tests). */
    hls?: Hls;
    playerError?: string;
  }
}

/** Further behind the live edge than the player aims for by this much (s): offer to go live. */
const BEHIND_SECONDS = 3;

/**
 * How far behind the camera the frame on screen is (s): now, against the wall-clock time the
 * frame came in (the playlist's PROGRAM-DATE-TIME); the player's estimate without one.
 */
function latencyOf(hls: Hls): number | undefined {
  const date = hls.playingDate;
  if (date) return (Date.now() - date.getTime()) / 1000;
  return Number.isFinite(hls.latency) ? hls.latency : undefined;
}

/** The shortcuts, as aria-keyshortcuts and the help line say them. */
const SHORTCUTS = "Space K F M J L ArrowLeft ArrowRight ArrowUp ArrowDown";

/**
 * Plays with sound if the browser lets a page (most refuse until the viewer has used the
 * site), else muted; true when it had to mute.
 */
async function playWithSound(element: HTMLVideoElement): Promise<boolean> {
  element.muted = false;
  try {
    await element.play();
    return false;
  } catch (error) {
    if ((error as Error).name !== "NotAllowedError") return false;
    element.muted = true;
    await element.play().catch(() => undefined);
    return true;
  }
}

/** Keys typed into a field, or pressed on a control that takes them itself, are not shortcuts. */
function typedElsewhere(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target || target.isContentEditable) return false;
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return true;
  return (event.key === " " || event.key === "Enter") && /^(BUTTON|A)$/.test(target.tagName);
}

function seekBy(element: HTMLVideoElement, seconds: number) {
  const { seekable } = element;
  if (seekable.length === 0) return;
  const start = seekable.start(0);
  const end = seekable.end(seekable.length - 1);
  element.currentTime = Math.min(end, Math.max(start, element.currentTime + seconds));
}

/** What a shortcut does to the player; false for a key that is not one. */
function shortcut(key: string, element: HTMLVideoElement, inPlayer: boolean): boolean {
  switch (key.length === 1 ? key.toLowerCase() : key) {
    case " ":
    case "k":
      if (element.paused) element.play().catch(() => undefined);
      else element.pause();
      return true;
    case "m":
      element.muted = !element.muted;
      return true;
    case "f":
      if (document.fullscreenElement) document.exitFullscreen().catch(() => undefined);
      else element.requestFullscreen().catch(() => undefined);
      return true;
    case "j":
      seekBy(element, -10);
      return true;
    case "l":
      seekBy(element, 10);
      return true;
    case "ArrowLeft":
      seekBy(element, -5);
      return true;
    case "ArrowRight":
      seekBy(element, 5);
      return true;
    // Up and down scroll the page unless the player has the focus.
    case "ArrowUp":
    case "ArrowDown":
      if (!inPlayer) return false;
      element.muted = false;
      element.volume = Math.min(1, Math.max(0, element.volume + (key === "ArrowUp" ? 0.1 : -0.1)));
      return true;
    default:
      return false;
  }
}

/** Shares the page's address: the system's share sheet where there is one, else the clipboard. */
async function share(title: string): Promise<string> {
  const url = location.href;
  if (navigator.share) {
    try {
      await navigator.share({ title, url });
      return "";
    } catch (error) {
      if ((error as Error).name === "AbortError") return "";
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    return "Link copied.";
  } catch {
    return `Copy this link: ${url}`;
  }
}

export function Player({
  eventId,
  source,
  live,
  title,
  poster,
}: {
  eventId: string;
  source: string;
  live: boolean;
  /** The event's title, for the share sheet. */
  title: string;
  /** Shown until the first frame (the API's posterUrl); never waited for. */
  poster?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [level, setLevel] = useState(-1);
  const [playing, setPlaying] = useState<number>();
  const [latency, setLatency] = useState<number>();
  const [behind, setBehind] = useState(false);
  const [mutedByBrowser, setMutedByBrowser] = useState(false);
  const [shared, setShared] = useState("");
  const [error, setError] = useState<string>();
  const hlsRef = useRef<Hls | undefined>(undefined);

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    let disposed = false;
    const stopBeats = startHeartbeats(element, eventId, () => {
      const hls = hlsRef.current;
      const current = hls?.levels[hls.currentLevel];
      return current ? `${current.height}p` : undefined;
    });
    // A recording starts where this person stopped watching it.
    const stopResume = live ? undefined : resume(element, eventId);
    const fail = (message: string) => {
      window.playerError = message;
      setError(message);
    };
    // Started once it can play: a play() before that may be cut short by hls.js attaching
    // the media, which would look like a refusal.
    const start = () =>
      playWithSound(element).then((muted) => !disposed && setMutedByBrowser(muted));
    element.addEventListener("canplay", start, { once: true });
    // The cue goes once the sound is on, however it was turned on.
    const onVolume = () => !element.muted && setMutedByBrowser(false);
    element.addEventListener("volumechange", onVolume);
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (typedElsewhere(event)) return;
      const inPlayer = Boolean(box.current?.contains(document.activeElement));
      if (shortcut(event.key, element, inPlayer)) event.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    loadHls().then(
      (HlsClass) => {
        if (disposed) return;
        if (!HlsClass.isSupported()) {
          element.src = source; // Safari plays HLS itself
          return;
        }
        // A first frame soon: the first segment is of the lowest quality (a fifth of the source's
        // bytes to fetch, demux and decode; "auto" moves up from the next one) and is asked for
        // as soon as the playlist names it, not once the media element has opened its
        // MediaSource. Live, in low-latency mode (LIVE_HLS). What was played stays a minute
        // and a half; further back is fetched again when sought.
        const hls = new HlsClass({
          ...(live ? LIVE_HLS : { lowLatencyMode: false }),
          backBufferLength: 90,
          startLevel: 0,
          startFragPrefetch: true,
        });
        hlsRef.current = hls;
        window.hls = hls;
        hls.on(HlsClass.Events.MANIFEST_PARSED, (_event, data) => {
          setLevels(data.levels.map((l, index) => ({ index, height: l.height })));
        });
        hls.on(HlsClass.Events.LEVEL_SWITCHED, (_event, data) =>
          setPlaying(hls.levels[data.level]?.height),
        );
        // A stream that has just gone live may have no playlist for a few seconds yet: try
        // again for a while before giving up (hls.js does not retry a 404 itself).
        let retries = 0;
        hls.on(HlsClass.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          if (data.type === HlsClass.ErrorTypes.NETWORK_ERROR && live && retries++ < 30) {
            setTimeout(() => !disposed && hls.loadSource(source), 2000);
            return;
          }
          if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && retries++ < 3) {
            hls.recoverMediaError();
            return;
          }
          fail(`Playback failed (${data.type}: ${data.details}).`);
        });
        hls.loadSource(source);
        hls.attachMedia(element);
      },
      () => fail("The player could not be loaded."),
    );
    const timer = setInterval(() => {
      const hls = hlsRef.current;
      if (!live || !hls) return;
      setLatency(latencyOf(hls));
      const target = hls.targetLatency ?? 0;
      setBehind(Number.isFinite(hls.latency) && hls.latency > target + BEHIND_SECONDS);
    }, 1000);
    return () => {
      disposed = true;
      clearInterval(timer);
      element.removeEventListener("volumechange", onVolume);
      element.removeEventListener("canplay", start);
      document.removeEventListener("keydown", onKey);
      stopBeats();
      stopResume?.();
      hlsRef.current?.destroy();
      hlsRef.current = undefined;
      window.hls = undefined;
    };
  }, [eventId, source, live]);

  const goLive = () => {
    const element = video.current;
    const edge = hlsRef.current?.liveSyncPosition;
    if (!element || edge == null) return;
    element.currentTime = edge;
    element.play().catch(() => undefined);
    setBehind(false);
  };

  const choose = (value: number) => {
    setLevel(value);
    if (hlsRef.current) hlsRef.current.currentLevel = value;
  };

  return (
    <div class="player" ref={box}>
      <div class="player-screen">
        {/* biome-ignore lint/a11y/useMediaCaption: the encoders send no captions to offer */}
        <video
          ref={video}
          controls
          playsInline
          poster={poster}
          aria-label="Video"
          aria-keyshortcuts={SHORTCUTS}
          title="Shortcuts: space or K play/pause, F full screen, M mute, J/L back/ahead 10 s, arrows 5 s and volume"
        />
        {mutedByBrowser && (
          <button
            type="button"
            class="unmute"
            onClick={() => {
              const element = video.current;
              if (element) element.muted = false;
            }}
          >
            Sound is off: unmute
          </button>
        )}
      </div>
      <div class="player-bar">
        {/* The heading's badge says LIVE; here only how far behind the camera this plays. */}
        <span class="player-latency">
          <span class="muted" title="How far behind the camera this plays">
            {live && latency !== undefined && `${latency.toFixed(1)} s behind live`}
          </span>
          {live && behind && (
            <button type="button" class="go-live" onClick={goLive}>
              Go live
            </button>
          )}
        </span>
        <div class="player-actions">
          <span role="status" class="muted">
            {shared}
          </span>
          <button
            type="button"
            onClick={async () => {
              setShared(await share(title));
              // Said for a while, not for good.
              setTimeout(() => setShared(""), 6000);
            }}
          >
            Share
          </button>
          <label>
            Quality{" "}
            <select
              value={level}
              disabled={levels.length === 0}
              onChange={(e) => choose(Number(e.currentTarget.value))}
            >
              <option value={-1}>{playing ? `Auto (${playing}p)` : "Auto"}</option>
              {levels.map((l) => (
                <option key={l.index} value={l.index}>
                  {l.height}p
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
