// The PostgreSQL outbox with a writer that publishes its own rows (a chat post), against the
// real PostgreSQL and Kafka: the relay leaves a writer-claimed row alone while the claim lasts,
// the writer's publish marks it, and a row whose writer died is the sweep's once the claim lapsed.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvent } from "../src/cloudevents/platform-event.ts";
import { serviceUrls } from "../src/config.ts";
import { createKafka, EventPublisher } from "../src/kafka/index.ts";
import {
  createPool,
  OutboxRelay,
  outboxValues,
  WRITER_CLAIM,
  WRITER_CLAIMED_OUTBOX_ROW,
} from "../src/postgres/index.ts";
import { type EventWatch, until, watchEvents } from "../src/testing/platform.ts";

const schema = `outbox_test_${randomBytes(4).toString("hex")}`;
const url = new URL(serviceUrls().databaseUrl);
const admin = createPool(undefined, 1);
let pool: ReturnType<typeof createPool>;
let publisher: EventPublisher;
let relay: OutboxRelay;
let watch: EventWatch;

const ping = (note: string) =>
  createEvent({
    type: "streamplatform.diagnostic.ping",
    source: "/test/outbox",
    subject: note,
    data: { note },
  });

const publishedAt = async (id: string) =>
  (
    await pool.query<{ at: Date | null }>("select published_at as at from outbox where id = $1", [
      id,
    ])
  ).rows[0]?.at;

/** A row as a writer that publishes it itself writes it; `lapsed`: its claim is over. */
async function writeClaimed(event: ReturnType<typeof ping>, lapsed = false): Promise<void> {
  await pool.query(
    lapsed
      ? `insert into ${WRITER_CLAIMED_OUTBOX_ROW} values ($1, $2, now() - interval '1 second')`
      : `insert into ${WRITER_CLAIMED_OUTBOX_ROW} select $1, $2, ${WRITER_CLAIM}`,
    outboxValues(event),
  );
}

beforeAll(async () => {
  await admin.query(`create schema ${schema}`);
  url.searchParams.set("options", `-c search_path=${schema}`);
  pool = createPool(url.toString(), 2);
  // As the functions' migrations make it (accounts 004 and 008, chat 001 and 002).
  await pool.query(`create table outbox (
    id text primary key, event jsonb not null, created_at timestamptz not null default now(),
    published_at timestamptz, writer_claim_until timestamptz)`);
  publisher = new EventPublisher(createKafka("outbox-test"));
  relay = new OutboxRelay(pool, publisher);
  watch = await watchEvents(["diagnostics"]);
}, 60_000);

afterAll(async () => {
  await watch?.stop();
  await publisher?.disconnect();
  await pool?.end();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
});

describe("outbox rows a writer publishes itself", () => {
  it("are left to their writer while the claim lasts, then marked once it published", async () => {
    const event = ping(`claimed-${schema}`);
    await writeClaimed(event);
    await relay.flush();
    expect(await publishedAt(event.id)).toBeNull();
    relay.publishClaimed([event]);
    await watch.waitFor((e) => e.id === event.id);
    await until("the row marked published", async () =>
      (await publishedAt(event.id)) ? true : undefined,
    );
    // Nothing is published twice: after a sweep, an event on the same key (so in order behind
    // anything the sweep sent) arrives with the first one alone before it.
    await relay.flush();
    const after = createEvent({
      type: "streamplatform.diagnostic.ping",
      source: "/test/outbox",
      subject: event.subject,
      data: { note: "after" },
    });
    await publisher.publish([after]);
    await watch.waitFor((e) => e.id === after.id);
    expect(watch.events.filter((e) => e.id === event.id)).toHaveLength(1);
  });

  it("are the sweep's once the claim lapsed (a writer that died before it published)", async () => {
    const event = ping(`orphan-${schema}`);
    await writeClaimed(event, true);
    await relay.flush();
    expect(await publishedAt(event.id)).toBeInstanceOf(Date);
    await watch.waitFor((e) => e.id === event.id);
  });

  it("are handed back to the relay when their publish fails, the claim lifted at once", async () => {
    // A type with no topic: the publisher refuses it before Kafka is asked.
    const poisoned = {
      ...ping(`failing-${schema}`),
      type: "streamplatform.test.unknown",
    } as unknown as ReturnType<typeof ping>;
    await writeClaimed(poisoned);
    relay.publishClaimed([poisoned]);
    await until("the writer's claim lifted", async () => {
      const { rows } = await pool.query<{ claim: Date | null; at: Date | null }>(
        "select writer_claim_until as claim, published_at as at from outbox where id = $1",
        [poisoned.id],
      );
      return rows[0] && rows[0].claim === null && rows[0].at === null ? true : undefined;
    });
    // It can never be published: out of the way of the next test.
    await pool.query("delete from outbox where id = $1", [poisoned.id]);
  });

  it("are marked by the time the relay has stopped", async () => {
    const event = ping(`stopping-${schema}`);
    await writeClaimed(event);
    relay.publishClaimed([event]);
    await relay.stop();
    expect(await publishedAt(event.id)).toBeInstanceOf(Date);
  });
});
