// The video player: hls.js (loaded only on a watch page), a quality menu with "auto", the live
// badge with the latency to the live edge, and viewer heartbeats for analytics.
import type Hls from "hls.js";
import { useEffect, useRef, useState } from "preact/hooks";
import { startHeartbeats } from "../heartbeats.ts";

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

export function Player({
  eventId,
  source,
  live,
}: {
  eventId: string;
  source: string;
  live: boolean;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [level, setLevel] = useState(-1);
  const [latency, setLatency] = useState<number>();
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
    const fail = (message: string) => {
      window.playerError = message;
      setError(message);
    };
    import("hls.js").then(
      ({ default: HlsClass }) => {
        if (disposed) return;
        if (!HlsClass.isSupported()) {
          element.src = source; // Safari plays HLS itself
          element.play().catch(() => undefined);
          return;
        }
        const hls = new HlsClass({ liveSyncDurationCount: 2 });
        hlsRef.current = hls;
        window.hls = hls;
        hls.on(HlsClass.Events.MANIFEST_PARSED, (_event, data) => {
          setLevels(data.levels.map((l, index) => ({ index, height: l.height })));
          element.play().catch(() => undefined);
        });
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
      if (live && hls && Number.isFinite(hls.latency)) setLatency(hls.latency);
    }, 1000);
    return () => {
      disposed = true;
      clearInterval(timer);
      stopBeats();
      hlsRef.current?.destroy();
      hlsRef.current = undefined;
      window.hls = undefined;
    };
  }, [eventId, source, live]);

  const choose = (value: number) => {
    setLevel(value);
    if (hlsRef.current) hlsRef.current.currentLevel = value;
  };

  return (
    <div class="player">
      <video ref={video} controls playsInline muted autoPlay aria-label="Video" />
      <div class="player-bar">
        {live && (
          <span class="badge badge-live" title="Latency to the live edge">
            LIVE{latency !== undefined && ` · ${latency.toFixed(1)} s behind`}
          </span>
        )}
        {levels.length > 0 && (
          <label>
            Quality{" "}
            <select value={level} onChange={(e) => choose(Number(e.currentTarget.value))}>
              <option value={-1}>Auto</option>
              {levels.map((l) => (
                <option key={l.index} value={l.index}>
                  {l.height}p
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
