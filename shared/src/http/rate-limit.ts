// Token buckets per key (a client address, an email): a steady rate with room for a burst. This
// one is kept in the process (least recently used buckets forgotten beyond a size): the fallback
// of the shared limiter (shared/src/postgres/rate-limit.ts), which every instance sees and which
// survives scaling to zero, and the limiter of what has no store (a chat room's own pace).
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
    return this.takeSome(key, 1, now);
  }

  /** The seconds until `key` has a token, taking none. */
  peek(key: string, now = Date.now()): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond,
    );
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.perSecond));
  }

  /** Takes `count` tokens at once (a batch), all or none. */
  takeSome(key: string, count: number, now = Date.now()): number {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond,
    );
    if (tokens < count) {
      this.buckets.set(key, { tokens, at: now });
      return Math.max(1, Math.ceil((count - tokens) / this.perSecond));
    }
    this.buckets.set(key, { tokens: tokens - count, at: now });
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

/**
 * The key a client address is limited by: an IPv4 address as it is, an IPv6 address by its /64
 * (one subscriber gets a whole /64 and can pick any address in it).
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(":")) return address;
  const [head = "", tail = ""] = address.split("%")[0]?.split("::") ?? [];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || "0", 16).toString(16))
    .join(":")}::/64`;
}

/** The client's address as a rate-limit key (see addressKey). */
export const clientKey = (req: IncomingMessage) => addressKey(clientAddress(req));
