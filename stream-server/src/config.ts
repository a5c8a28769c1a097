// stream-server's settings, from the environment (local/ sets them; a Deployment's env does in a
// cluster). Checked once at start, so a typo fails loudly instead of streaming wrongly.
import { resolve } from "node:path";
import { z } from "zod";
import { trustedProxies } from "./proxy-protocol.ts";

const port = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  RTMP_PORT: port.default(1935),
  /** Loopback by default; set 0.0.0.0 to take streams from other machines. */
  RTMP_BIND: z.string().default("127.0.0.1"),
  /**
   * RTMP from the edge's stream proxy, each connection opening with a PROXY protocol v1 header
   * (the publisher's address, for the publish limit). Unset: no such listener.
   */
  RTMP_PROXY_PORT: port.optional(),
  /** Who may connect there (addresses and CIDR ranges, comma separated): the edge. */
  RTMP_PROXY_TRUSTED: z.string().default("127.0.0.1,::1"),
  /** The small HTTP server for health, the list of live streams and the SSE gateway. */
  STREAM_SERVER_PORT: port.default(8091),
  /** Loopback by default; 0.0.0.0 in a container (the edge is another host there). */
  STREAM_SERVER_BIND: z.string().default("127.0.0.1"),
  HLS_DIR: z.string().default("hls"),
  /**
   * Target segment length: cut on the source's keyframes when they come at least this often,
   * else on keyframes the encoded renditions force every this long (ladder.ts). Whole seconds:
   * the playlists' EXT-X-TARGETDURATION.
   */
  HLS_SEGMENT_SECONDS: z.coerce.number().int().min(1).max(6).default(2),
  /** The ladder: `source` (passed through), or heights with an optional bitrate: 480p:1400. */
  HLS_LADDER: z.string().default("source,480p,360p"),
  /** x264 preset of the encoded renditions. */
  HLS_PRESET: z
    .string()
    .regex(/^[a-z]+$/)
    .default("veryfast"),
  /** Seconds between poster refreshes while live. */
  POSTER_SECONDS: z.coerce.number().int().min(1).max(60).default(5),
  /** A publisher silent this long is gone (a cable pulled sends no FIN). */
  PUBLISHER_TIMEOUT_SECONDS: z.coerce.number().min(1).max(60).default(4),
  /**
   * Seconds between a live stream's stream.alive signals. The events function ends a live event
   * unheard of for 2 minutes (functions/events/src/domain.ts LOST_AFTER_MS), so at most 30.
   */
  STREAM_ALIVE_SECONDS: z.coerce.number().min(0.5).max(30).default(30),
  /** Upload finished recordings to S3-compatible storage when set. */
  S3_BUCKET: z.string().optional(),
  S3_PREFIX: z.string().default("recordings/"),
  S3_ENDPOINT: z.url().optional(),
});

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`stream-server configuration: ${problems.join("; ")}`);
  }
  const c = parsed.data;
  let trusted: ReturnType<typeof trustedProxies>;
  try {
    trusted = trustedProxies(c.RTMP_PROXY_TRUSTED);
  } catch (error) {
    throw new Error(`stream-server configuration: ${(error as Error).message}`);
  }
  return {
    rtmpPort: c.RTMP_PORT,
    rtmpBind: c.RTMP_BIND,
    rtmpProxy: c.RTMP_PROXY_PORT === undefined ? undefined : { port: c.RTMP_PROXY_PORT, trusted },
    httpBind: c.STREAM_SERVER_BIND,
    httpPort: c.STREAM_SERVER_PORT,
    hlsDir: resolve(c.HLS_DIR),
    segmentSeconds: c.HLS_SEGMENT_SECONDS,
    ladder: c.HLS_LADDER,
    preset: c.HLS_PRESET,
    posterSeconds: c.POSTER_SECONDS,
    publisherTimeoutMs: c.PUBLISHER_TIMEOUT_SECONDS * 1000,
    aliveMs: c.STREAM_ALIVE_SECONDS * 1000,
    s3: c.S3_BUCKET
      ? { bucket: c.S3_BUCKET, prefix: c.S3_PREFIX, endpoint: c.S3_ENDPOINT }
      : undefined,
  };
}
