// Token buckets per key (a client address, an email): a steady rate with room for a burst. Kept
// in the process: each instance limits on its own, which bounds abuse without a shared store.
import type { IncomingMessage } from "node:http";
import { BoundedMap } from "../util/bounded-map.ts";
import { HttpProblem, tooManyRequests } from "./problem.ts";

export class RateLimiter {
  private readonly buckets: BoundedMap<string, { tokens: number; at: number }>;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    maxKeys = 100_000,
  ) {
    this.buckets = new BoundedMap(maxKeys);
  }

  /** Takes one token for `key`: 0 when allowed, else the seconds until a token is available. */
  take(key: string, now = Date.now()): number {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond,
    );
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / this.perSecond));
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  /** Throws 429 with Retry-After when `key` is over its rate. */
  check(key: string, what: string): void {
    const wait = this.take(key);
    if (wait > 0)
      throw new HttpProblem(tooManyRequests(`too many ${what}: try again in ${wait} s`, wait));
  }
}

/**
 * The client's address as the edge saw it: the last X-Forwarded-For hop (the one the edge
 * appended; earlier hops come from the client and prove nothing), else the socket's.
 */
export function clientAddress(req: IncomingMessage): string {
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",");
  return hops[hops.length - 1]?.trim() || req.socket.remoteAddress || "unknown";
}
