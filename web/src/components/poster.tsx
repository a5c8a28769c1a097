// An event's picture: the poster the API names (the live frame, or the recording's), in the two
// sizes the edge serves, or a picture of our own (the channel's hue and initial) for an event
// without one, or whose poster is not there (yet). The box has its size before anything loads
// (16:9), so nothing moves when the picture arrives; cards load theirs lazily.
import { useState } from "preact/hooks";
import type { VideoEvent } from "../api.ts";

/** A hue from a channel's id: stable, and different between channels. */
export function hueOf(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

/** The first letter of a name, for an avatar. */
export const initialOf = (name: string | undefined): string =>
  [...(name?.trim() ?? "")][0]?.toUpperCase() ?? "";

type Pictured = Pick<VideoEvent, "id" | "channelId" | "posterUrl" | "posterSmallUrl">;

/** The generated picture: the channel's hue, its initial; decorative. */
export function PosterFallback({ channelId, name }: { channelId: string; name?: string }) {
  return (
    <div class="poster poster-fallback" aria-hidden="true" style={{ "--hue": hueOf(channelId) }}>
      <span>{initialOf(name)}</span>
    </div>
  );
}

/**
 * The event's poster. Decorative (empty alt): it sits next to the event's title, which names
 * it. `sizes` says how wide it is shown, for the browser to pick the size.
 */
export function Poster({
  event,
  channelName,
  sizes = "(max-width: 560px) 100vw, 320px",
  lazy = true,
}: {
  event: Pictured;
  channelName?: string;
  sizes?: string;
  lazy?: boolean;
}) {
  const [failed, setFailed] = useState<string>();
  const { posterUrl, posterSmallUrl } = event;
  if (!posterUrl || failed === posterUrl)
    return <PosterFallback channelId={event.channelId} name={channelName} />;
  return (
    <img
      class="poster"
      src={posterSmallUrl ?? posterUrl}
      srcset={posterSmallUrl ? `${posterSmallUrl} 320w, ${posterUrl} 640w` : undefined}
      sizes={posterSmallUrl ? sizes : undefined}
      width={320}
      height={180}
      alt=""
      loading={lazy ? "lazy" : undefined}
      decoding="async"
      onError={() => setFailed(posterUrl)}
    />
  );
}
