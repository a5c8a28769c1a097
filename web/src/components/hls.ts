// hls.js for the player and the dashboard's preview, in its light build: without subtitles,
// alternate audio, DRM and CMCD, which these streams never carry, it is a third less code to
// fetch, parse and run before a watch page's first frame.
import type Hls from "hls.js";

export const loadHls = (): Promise<typeof Hls> =>
  import("hls.js/light").then((module) => module.default);

/**
 * hls.js settings for a live stream: low-latency mode (parts, blocking reloads, the playlist's
 * PART-HOLD-BACK from the edge; no liveSync* setting, which would override it), caught up to
 * by playing a little faster after a stall.
 */
export const LIVE_HLS = { lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5 } as const;
