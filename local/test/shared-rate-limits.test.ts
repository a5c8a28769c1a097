// Limits on anonymous callers that every instance shares (issue #23, item 9): anonymous posts to
// /ce, beacons, view tokens and RTMP publish attempts are counted per address in PostgreSQL
// (shared/src/postgres/rate-limit.ts), so a restarted process, a process back from zero or
// another replica does not hand an address a fresh budget. Each check spends an address's
// budget on one side and shows it spent on the other: through a function that is then killed and
// restarted by local/'s supervisor, or through another instance of the same limit (this test's
// process, which is what any replica is: the limit's name and rate over the one table). Clients
// use loopback addresses of their own (127.x.y.z), so these budgets are nobody else's.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createEvent, localPorts, toHttpBatch } from "@stream-platform/shared";
import { createPool, SharedRateLimiter } from "@stream-platform/shared/postgres";
import {
  api,
  clientAt,
  freshAddress,
  newUser,
  publishTestPattern,
  relayFrom,
  uniqueSlug,
  until,
  viewTokenFor,
} from "@stream-platform/shared/testing";
import { afterAll, describe, expect, it } from "vitest";
import { functionBack, killFunction } from "../../faults/breakers.ts";
import { logFile } from "../src/paths.ts";

const pool = createPool(undefined, 2);
afterAll(() => pool.end());

/** The limits as the processes declare them (name, per second, burst): one table, one budget. */
const LIMITS = {
  anonymousCe: ["ce:anonymous-address", 20, 50],
  beacons: ["beacons:address", 20, 50],
  viewTokens: ["view-tokens:address", 2, 100],
  rtmpPublish: ["rtmp-publish:address", 1, 20],
} as const;
const elsewhere = (limit: keyof typeof LIMITS) => {
  const [name, perSecond, burst] = LIMITS[limit];
  return new SharedRateLimiter(name, perSecond, burst, () => pool);
};

/** A scheduled event of a new channel: beacons for it are taken, view tokens refused (409). */
async function scheduledEvent(): Promise<string> {
  const owner = await newUser("shared-limits");
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug("limits"), title: "Limits" },
  });
  const event = await api<{ id: string }>("/api/events", {
    token: owner.token,
    body: {
      channelId: channel.body.id,
      title: "Limited",
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(event.status).toBe(201);
  return event.body.id;
}

const beacon = (eventId: string) => ({
  viewToken: viewTokenFor({
    eventId,
    viewerId: `v-shared-${randomUUID()}`,
    sessionId: `s-shared-${randomUUID()}`,
  }),
  seq: 0,
  position: 0,
});

/** An anonymous /ce post of one heartbeat, as a browser's player sends it. */
function heartbeatPost(eventId: string) {
  const batch = toHttpBatch([
    createEvent({
      type: "streamplatform.viewer.heartbeat",
      source: "/test/shared-rate-limits",
      subject: eventId,
      data: {
        eventId,
        viewerId: "v-shared-limits",
        sessionId: `s-${randomUUID()}`,
        viewToken: "checked by the aggregator",
        position: 0,
        playedSeconds: 10,
        bufferingSeconds: 0,
      },
    }),
  ]);
  return { headers: batch.headers, body: JSON.parse(batch.body) as unknown };
}

/** `count` requests at once from `address`; their answers. */
const burstFrom = (
  address: string,
  count: number,
  path: string,
  request: () => { headers?: Record<string, string>; body: unknown },
) => Promise.all(Array.from({ length: count }, () => clientAt(address)(path, request())));

/** A 429 saying when to come back, as every limit here answers one. */
function expectRefused(answer: { status: number; headers: Record<string, unknown> }) {
  expect(answer.status).toBe(429);
  expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
}

describe("limits per address every instance shares", () => {
  it("keeps an address's spent view-token budget across a restart of the analytics function, and serves another address", async () => {
    const eventId = await scheduledEvent();
    const views = "/api/analytics/views";
    const spender = freshAddress();
    const started = Date.now();
    // The burst (100) and then some: the rest refused. Past the limit the route answers 409
    // (the event is not live yet), which is as good as served for the budget.
    const spent = await burstFrom(spender, 130, views, () => ({ body: { eventId } }));
    const served = (answers: { status: number }[]) => answers.filter((a) => a.status !== 429);
    expect(served(spent).length).toBeGreaterThanOrEqual(100);
    expect(spent.every((a) => a.status === 409 || a.status === 429)).toBe(true);

    await functionBack("analytics", await killFunction("analytics"));
    // The new process's own buckets are full: only the shared one can refuse. Without it, this
    // burst would all be served; with it, no more than the rate refilled since the spending.
    const after = await burstFrom(spender, 40, views, () => ({ body: { eventId } }));
    const refilled = Math.ceil(((Date.now() - started) / 1000) * LIMITS.viewTokens[1]);
    expect(served(after).length).toBeLessThanOrEqual(refilled + 1);
    const refused = after.find((a) => a.status === 429);
    expect(refused, "the spender refused after the restart").toBeDefined();
    if (refused) expectRefused(refused);
    expect((await clientAt(freshAddress())(views, { body: { eventId } })).status).toBe(409);
  });

  it.each([
    {
      limit: "beacons" as const,
      path: "/api/analytics/beacons",
      taken: 202,
      request: (eventId: string) => ({ body: beacon(eventId) }),
    },
    {
      limit: "anonymousCe" as const,
      path: "/ce",
      taken: 202,
      request: heartbeatPost,
    },
  ])(
    "$path: an address whose budget another instance spent is refused, another served; what the function takes, other instances see",
    async ({ limit, path, taken, request }) => {
      const eventId = await scheduledEvent();
      const [, perSecond, burst] = LIMITS[limit];
      // The function up first: scaled to zero (idle through the heavy tests), its cold start
      // would hold the burst below long enough for the bucket to refill whole.
      expect((await clientAt(freshAddress())(path, request(eventId))).status).toBe(taken);
      // Another instance spends the whole burst of one address...
      const spender = freshAddress();
      const started = Date.now();
      expect(await elsewhere(limit).take(spender, burst)).toBe(0);
      // ... and the function, whose own bucket for it is full, refuses it beyond the refill.
      const answers = await burstFrom(spender, burst, path, () => request(eventId));
      const refilled = Math.ceil(((Date.now() - started) / 1000) * perSecond);
      expect(answers.filter((a) => a.status === taken).length).toBeLessThanOrEqual(refilled + 1);
      const refused = answers.find((a) => a.status === 429);
      expect(refused, `${path}: the spender refused`).toBeDefined();
      if (refused) expectRefused(refused);
      expect((await clientAt(freshAddress())(path, request(eventId))).status).toBe(taken);

      // The other way round: a burst the function takes is spent for every other instance.
      const flooder = freshAddress();
      const flood = await burstFrom(flooder, burst, path, () => request(eventId));
      expect(flood.every((a) => a.status === taken)).toBe(true);
      // Whatever refilled meanwhile, a whole burst is no longer there for the flooder.
      expect(await elsewhere(limit).take(flooder, burst)).toBeGreaterThan(0);
      expect(await elsewhere(limit).take(freshAddress(), burst)).toBe(0);
    },
  );

  it("RTMP: stream-server refuses publishes from an address whose budget another instance spent, before any key is looked up", async () => {
    const target = { host: "127.0.0.1", port: localPorts().rtmp };
    const spender = freshAddress();
    const other = freshAddress();
    const [fromSpender, fromOther] = await Promise.all([
      relayFrom(spender, target),
      relayFrom(other, target),
    ]);
    try {
      const [, perSecond, burst] = LIMITS.rtmpPublish;
      const started = Date.now();
      expect(await elsewhere("rtmpPublish").take(spender, burst)).toBe(0);
      const refusalsOf = (address: string) =>
        readFileSync(logFile("stream-server"), "utf8")
          .split("\n")
          .filter((line) => line.includes('"publish refused"') && line.includes(`"${address}"`));
      const guess = (port: number) =>
        publishTestPattern(`sk_not-a-key-${randomUUID()}`, {
          seconds: 1,
          size: "64x64",
          url: `rtmp://127.0.0.1:${port}/live`,
        }).exited;
      // ffmpeg takes a while to start on a busy machine, a token a second refills meanwhile:
      // the other instance keeps taking what refills until every guess has been decided.
      let draining = true;
      const drain = (async () => {
        while (draining) {
          await elsewhere("rtmpPublish").take(spender);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const guesses = 5;
      await Promise.all([
        ...Array.from({ length: guesses }, () => guess(fromSpender.port)),
        guess(fromOther.port),
      ]).finally(() => {
        draining = false;
      });
      await drain;
      // Every ffmpeg has exited, so stream-server has decided each publish: wait for its log.
      const forRate = await until(
        "stream-server to refuse the spender for its rate",
        () => {
          const lines = refusalsOf(spender).filter((l) => l.includes("too many publish attempts"));
          return lines.length > 0 ? lines : undefined;
        },
        10_000,
        100,
      );
      // A fresh budget (a restarted stream-server's own, 20) would have let all five reach the
      // key check; the shared one at most what refilled since it was spent.
      const refilled = Math.ceil(((Date.now() - started) / 1000) * perSecond);
      const reachedKeyCheck = refusalsOf(spender).filter((l) => l.includes("stream key")).length;
      expect(reachedKeyCheck).toBeLessThanOrEqual(refilled);
      expect(forRate.length + reachedKeyCheck).toBeLessThanOrEqual(guesses);
      // The other address got as far as the key (wrong, so refused for it).
      const otherRefusal = await until(
        "stream-server to refuse the other address's key",
        () => refusalsOf(other)[0],
        20_000,
        100,
      );
      expect(otherRefusal).toContain("unknown or rotated stream key");
    } finally {
      await Promise.all([fromSpender.close(), fromOther.close()]);
    }
  });
});
