import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientAddress, RateLimiter } from "../src/http/rate-limit.ts";

describe("RateLimiter", () => {
  it("allows a burst, then the rate, and says how long to wait", () => {
    const limiter = new RateLimiter(2, 3);
    const t = 1_000_000;
    expect([limiter.take("a", t), limiter.take("a", t), limiter.take("a", t)]).toEqual([0, 0, 0]);
    expect(limiter.take("a", t)).toBe(1);
    expect(limiter.take("b", t)).toBe(0); // keys are apart
    expect(limiter.take("a", t + 500)).toBe(0); // half a second: one token at 2/s
    expect(limiter.take("a", t + 500)).toBeGreaterThan(0);
    const strict = new RateLimiter(0.001, 1);
    strict.check("c", "tries");
    expect(() => strict.check("c", "tries")).toThrow(/too many tries: try again in \d+ s/);
  });

  it("takes the address the edge appended, not one the client wrote", () => {
    const req = (forwarded?: string) =>
      ({
        headers: forwarded ? { "x-forwarded-for": forwarded } : {},
        socket: { remoteAddress: "10.0.0.9" },
      }) as unknown as IncomingMessage;
    expect(clientAddress(req("1.2.3.4, 203.0.113.7"))).toBe("203.0.113.7");
    expect(clientAddress(req("203.0.113.7"))).toBe("203.0.113.7");
    expect(clientAddress(req())).toBe("10.0.0.9");
  });
});
