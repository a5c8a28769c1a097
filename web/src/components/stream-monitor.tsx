// The creator's view of their own live stream, on the dashboard: a small muted preview (hls.js,
// loaded only here and on watch pages) and the stream's health from stream-server (what the
// publisher sends, the encoder's frame rate and pace, dropped frames, the picture size), asked
// every few seconds; "No signal" when the encoder has gone quiet. A chunk of its own.
import type { StreamHealth } from "@stream-platform/shared/api";
import type Hls from "hls.js";
import { useEffect, useRef, useState } from "preact/hooks";
import { request, type VideoEvent } from "../api.ts";
import { LIVE_HLS, loadHls } from "./hls.ts";
import { ErrorNote } from "./status.tsx";

const EVERY_MS = 3000;

/** The live HLS, muted, without heartbeats (the owner watching is not a viewer). */
function Preview({ eventId }: { eventId: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const element = video.current;
    if (!element) return;
    const source = `/hls/${eventId}/master.m3u8`;
    let disposed = false;
    let hls: Hls | undefined;
    element.muted = true;
    const start = () => element.play().catch(() => undefined);
    element.addEventListener("canplay", start, { once: true });
    loadHls().then(
      (HlsClass) => {
        if (disposed) return;
        if (!HlsClass.isSupported()) {
          element.src = source; // Safari plays HLS itself
          return;
        }
        // As close to live as a viewer's player: what the creator sees is what viewers see.
        hls = new HlsClass({
          ...LIVE_HLS,
          capLevelToPlayerSize: true,
          startFragPrefetch: true,
        });
        // A stream that has just gone live may have no playlist yet: try again for a while.
        let retries = 0;
        hls.on(HlsClass.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          if (data.type === HlsClass.ErrorTypes.NETWORK_ERROR && retries++ < 30) {
            setTimeout(() => !disposed && hls?.loadSource(source), 2000);
            return;
          }
          if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && retries++ < 3) {
            hls?.recoverMediaError();
            return;
          }
          setFailed(true);
        });
        hls.loadSource(source);
        hls.attachMedia(element);
      },
      () => setFailed(true),
    );
    return () => {
      disposed = true;
      element.removeEventListener("canplay", start);
      hls?.destroy();
    };
  }, [eventId]);
  return (
    <div class="preview">
      <video
        ref={video}
        muted
        playsInline
        controls
        aria-label="Preview of your stream (muted)"
        data-testid="preview"
      />
      {failed && <p class="muted">The preview could not play; viewers may still see the stream.</p>}
    </div>
  );
}

const number = (value: number, digits = 0) =>
  value.toLocaleString(undefined, { maximumFractionDigits: digits });

function Figures({ health }: { health: StreamHealth }) {
  if (!health.live || !health.signal)
    return (
      <p class="no-signal" role="status" data-testid="no-signal">
        <strong>No signal.</strong>{" "}
        {health.live
          ? "The encoder has received nothing for a few seconds: check your connection and OBS."
          : "Nothing is being streamed to your channel now."}
      </p>
    );
  const rows: [string, string, string][] = [
    [
      "Bitrate",
      health.inputKbps !== undefined ? `${number(health.inputKbps)} kbit/s` : "measuring…",
      "health-bitrate",
    ],
    ["Frame rate", health.fps !== undefined ? `${number(health.fps, 1)} fps` : "…", "health-fps"],
    [
      "Encoder speed",
      health.speed !== undefined ? `${number(health.speed, 2)}×` : "…",
      "health-speed",
    ],
    [
      "Dropped frames",
      `${number(health.droppedFrames ?? 0)} (duplicated ${number(health.duplicatedFrames ?? 0)})`,
      "health-dropped",
    ],
    [
      "Resolution",
      health.width && health.height ? `${health.width}×${health.height}` : "…",
      "health-resolution",
    ],
    [
      "Keyframes",
      health.keyframeSeconds !== undefined ? `every ${number(health.keyframeSeconds, 1)} s` : "…",
      "health-keyframes",
    ],
  ];
  return (
    <>
      <dl class="health">
        {rows.map(([term, value, id]) => (
          <div key={id}>
            <dt>{term}</dt>
            <dd data-testid={id}>{value}</dd>
          </div>
        ))}
      </dl>
      {health.notice && <p data-testid="health-notice">{health.notice}</p>}
    </>
  );
}

export function StreamMonitor({ channelId, event }: { channelId: string; event: VideoEvent }) {
  const [health, setHealth] = useState<StreamHealth>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const controller = new AbortController();
    const ask = () =>
      request<StreamHealth>(`/api/streams/${channelId}/health`, { signal: controller.signal })
        .then((answer) => {
          setHealth(answer);
          setError(undefined);
        })
        .catch((e: unknown) => {
          if ((e as Error).name !== "AbortError") setError(e);
        });
    void ask();
    const timer = setInterval(ask, EVERY_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [channelId]);
  return (
    <section class="panel" aria-label="Your stream">
      <h2>Your stream</h2>
      <div class="monitor">
        <Preview eventId={event.id} />
        <div data-testid="stream-health">
          {health ? (
            <Figures health={health} />
          ) : error === undefined ? (
            <p class="muted">Reading the stream's health…</p>
          ) : null}
          {error !== undefined && <ErrorNote error={error} />}
        </div>
      </div>
    </section>
  );
}
