// SubscriptionService.ListSubscribers against the real PostgreSQL: 100,000 subscribers of one
// channel stream in order, once each, while the serving process's memory stays flat.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { serviceUrls } from "@stream-platform/shared";
import { SubscriptionsClient } from "@stream-platform/shared/grpc";
import { api, newUser, platformServiceAddress, uniqueSlug } from "@stream-platform/shared/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertBulk, removeBulk } from "./bulk-fixture.ts";

const SUBSCRIBERS = 100_000;
const tag = randomBytes(4).toString("hex");
const db = new pg.Client({ connectionString: serviceUrls().databaseUrl });
let channelId: string;
let eventId: string;
let address: string;

/** Resident memory of the process listening on a port (the gRPC function), in MB. */
function rssOfListener(port: number): number {
  const ss = spawnSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" }).stdout;
  const pid = /pid=(\d+)/.exec(ss)?.[1];
  if (!pid) throw new Error(`nothing listens on ${port}`);
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) / 1024;
}

beforeAll(async () => {
  const owner = await newUser("bulk-owner");
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug(), title: "Popular" },
  });
  channelId = channel.body.id;
  eventId = `evt_bulk_${tag}`;
  address = await platformServiceAddress("accounts-grpc");
  await db.connect();
  // 100,000 people following the channel; 1,000 of them and 10 others also follow one event.
  await insertBulk(db, {
    tag,
    channelId,
    count: SUBSCRIBERS,
    eventId,
    eventOverlap: 1000,
    eventOnly: 10,
  });
}, 120_000);

afterAll(async () => {
  await removeBulk(db, tag);
  await db.end();
}, 120_000);

describe("ListSubscribers", () => {
  it(`streams ${SUBSCRIBERS.toLocaleString()} subscribers in order, once each, in flat memory`, async () => {
    const client = new SubscriptionsClient(address);
    const port = Number(address.split(":")[1]);
    const before = rssOfListener(port);
    let peak = before;
    let count = 0;
    let previous = "";
    let ordered = true;
    for await (const userId of client.listSubscribers([{ kind: "CHANNEL", id: channelId }])) {
      if (userId <= previous) ordered = false;
      previous = userId;
      count += 1;
      if (count % 5000 === 0) peak = Math.max(peak, rssOfListener(port));
    }
    client.close();
    expect(count).toBe(SUBSCRIBERS);
    expect(ordered).toBe(true);
    // Paging keeps one page in memory; loading all rows would cost far more than this.
    expect(peak - before).toBeLessThan(40);
  }, 120_000);

  it("merges a channel's and an event's subscribers, each person once", async () => {
    const client = new SubscriptionsClient(address);
    const seen = new Set<string>();
    let total = 0;
    for await (const userId of client.listSubscribers([
      { kind: "CHANNEL", id: channelId },
      { kind: "EVENT", id: eventId },
    ])) {
      seen.add(userId);
      total += 1;
    }
    client.close();
    expect(total).toBe(seen.size);
    expect(total).toBe(SUBSCRIBERS + 10);
  }, 120_000);

  it("refuses an invalid target with INVALID_ARGUMENT", async () => {
    const client = new SubscriptionsClient(address);
    const failure = await (async () => {
      for await (const _ of client.listSubscribers([{ kind: "CHANNEL", id: "not-a-uuid" }])) {
        // nothing expected
      }
    })().catch((error: unknown) => error);
    client.close();
    expect((failure as { code?: number }).code).toBe(3);
  });
});
