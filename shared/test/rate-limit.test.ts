import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { addressKey, clientAddress, RateLimiter } from "../src/http/rate-limit.ts";
import { createPool, SharedRateLimiter } from "../src/postgres/index.ts";
import { BoundedMap } from "../src/util/bounded-map.ts";

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

describe("rate-limit keys and buckets", () => {
  it("keys an IPv6 client by its /64, and an IPv4 one (mapped or not) by its address", () => {
    expect(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0002:ffff::9")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
  });

  it("forgets the least recently used bucket, not the oldest: a flood of new keys cannot reset a busy one", () => {
    const limiter = new RateLimiter(0.001, 2, 3);
    const t = 1_000_000;
    limiter.take("busy", t);
    limiter.take("busy", t);
    expect(limiter.take("busy", t)).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) {
      limiter.take(`flood-${i}`, t);
      // The busy key is spent again and again: it stays the most recently used.
      expect(limiter.take("busy", t)).toBeGreaterThan(0);
    }
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1).set("b", 2);
    map.get("a");
    map.set("c", 3);
    expect([...map.keys()]).toEqual(["a", "c"]);
  });

  it("peeks without taking, and takes a batch all or nothing", () => {
    const limiter = new RateLimiter(1, 5);
    const t = 2_000_000;
    expect(limiter.peek("k", t)).toBe(0);
    expect(limiter.takeSome("k", 4, t)).toBe(0);
    expect(limiter.takeSome("k", 2, t)).toBe(1);
    expect(limiter.peek("k", t)).toBe(0);
    expect(limiter.take("k", t)).toBe(0);
    expect(limiter.peek("k", t)).toBe(1);
  });
});

/** A TCP server on a free loopback port that accepts connections and never says a word. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the silent server has no port");
  return { server, port: address.port, sockets };
}

describe("SharedRateLimiter without PostgreSQL", () => {
  it("limits in its own process, never failing or holding a request, when PostgreSQL refuses or never answers", async () => {
    const silent = await silentServer();
    // A port nobody listens on: connections are refused at once.
    const closed = await silentServer();
    await new Promise((resolve) => closed.server.close(resolve));
    try {
      for (const port of [closed.port, silent.port]) {
        const pool = createPool(`postgres://nobody:nothing@127.0.0.1:${port}/none`, 2);
        const limiter = new SharedRateLimiter(`test:${randomUUID()}`, 0.001, 3, () => pool);
        // At once: each take checks this process's bucket before it waits for PostgreSQL.
        const started = Date.now();
        const waits = await Promise.all(
          Array.from({ length: 4 }, () => limiter.take("203.0.113.9")),
        );
        // Within the limiter's deadline for PostgreSQL (5 s), whatever the store does.
        expect(Date.now() - started, `takes from port ${port}`).toBeLessThan(6500);
        // The burst (3) is let in, the next refused by this process's own bucket.
        expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
        expect(waits[3]).toBeGreaterThan(0);
        expect(await limiter.take("203.0.113.10")).toBe(0);
        for (const socket of silent.sockets) socket.destroy();
        await pool.end();
      }
    } finally {
      for (const socket of silent.sockets) socket.destroy();
      await new Promise((resolve) => silent.server.close(resolve));
    }
  });

  it("does not hold requests while PostgreSQL, connected, does not answer (a row locked elsewhere)", async () => {
    const pool = createPool(undefined, 2);
    const other = createPool(undefined, 1);
    const name = `test:${randomUUID()}`;
    const limiter = new SharedRateLimiter(name, 0.001, 3, () => pool);
    expect(await limiter.take("203.0.113.11")).toBe(0);
    const blocker = await other.connect();
    try {
      await blocker.query("begin");
      await blocker.query("select 1 from rate_limits where key = $1 for update", [
        `${name}:203.0.113.11`,
      ]);
      const started = Date.now();
      const waits = await Promise.all(
        Array.from({ length: 3 }, () => limiter.take("203.0.113.11")),
      );
      // The deadline (5 s), then this process's bucket: two more let in, the third refused.
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
      expect(Date.now() - started).toBeLessThan(7000);
      expect(waits.slice(0, 2)).toEqual([0, 0]);
      expect(waits[2]).toBeGreaterThan(0);
    } finally {
      await blocker.query("rollback");
      blocker.release();
      await Promise.all([pool.end(), other.end()]);
    }
  });
});
