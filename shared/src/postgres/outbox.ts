// The transactional outbox: an event is written in the same transaction as the change it
// describes, so it exists exactly when the change does. A relay then publishes it to Kafka
// (at once after the commit, and again from a periodic sweep if the process died first). A
// crash between write and publish therefore delays the event, never loses it; consumers are
// idempotent on the event id for the rare double publish.
import type pg from "pg";
import type { CloudEventV1 } from "../cloudevents/format.ts";
import type { PlatformEvent } from "../cloudevents/platform-event.ts";
import type { EventPublisher } from "../kafka/publisher.ts";
import { outboxPending, outboxPublished } from "../observability/outbox-metrics.ts";
import { Sweeper } from "../util/sweeper.ts";

// The table (each function's migrations create it):
//   outbox (id text primary key, event jsonb not null, created_at timestamptz, published_at timestamptz)

/**
 * An event as an outbox row: `insert into ${OUTBOX_ROW} values (…)` with `outboxValues(event)`,
 * for a store that writes its change and the event in one statement (chat's posts).
 */
export const OUTBOX_ROW = "outbox (id, event)";
export const outboxValues = (event: PlatformEvent): [string, string] => [
  event.id,
  JSON.stringify(event),
];

/** Adds events to the outbox inside the caller's transaction. */
export async function enqueue(client: pg.PoolClient, events: PlatformEvent[]): Promise<void> {
  for (const event of events)
    await client.query(`insert into ${OUTBOX_ROW} values ($1, $2)`, outboxValues(event));
}

/** Rows relayed per Kafka send. */
const BATCH = 500;

/**
 * The oldest unpublished rows, marked published and returned, skipping rows another relay holds
 * (replicas, or a function's HTTP and gRPC processes, never publish the same rows at once).
 */
const CLAIM = `with claimed as (
    select id from outbox where published_at is null order by created_at limit ${BATCH}
    for update skip locked),
  marked as (
    update outbox o set published_at = now() from claimed where o.id = claimed.id
    returning o.id, o.event, o.created_at)
  select id, event from marked order by created_at`;

export class OutboxRelay extends Sweeper {
  private countedAt = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly publisher: EventPublisher,
    private readonly countEveryMs = 1000,
  ) {
    super(countEveryMs);
  }

  /**
   * Claims unpublished rows (CLAIM), publishes them, commits: a failed publish leaves them for
   * the next sweep.
   */
  protected async sweep(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // The backlog gauge: counted by the periodic sweep's pace, not on every write's flush
      // (a timer may fire a little early: a tenth of slack).
      if (Date.now() - this.countedAt >= this.countEveryMs * 0.9) {
        this.countedAt = Date.now();
        // Cheap: the partial index on unpublished rows holds only the backlog.
        const { rows: counted } = await client.query<{ n: number }>(
          "select count(*)::int as n from outbox where published_at is null",
        );
        outboxPending.set({ store: "postgres" }, counted[0]?.n ?? 0);
      }
      for (;;) {
        // The transaction's start and the claim in one round trip (a write's flush is on the
        // path of every event a person causes). The claim marks the rows; a failed publish
        // rolls the mark back.
        const results: unknown = await client.query(`begin; ${CLAIM}`);
        // Marked as published by the claim itself: rows not read here would be lost.
        if (!Array.isArray(results) || results.length !== 2)
          throw new Error("the outbox claim did not answer as two results (begin, claim)");
        const rows = (results[1] as pg.QueryResult<{ id: string; event: CloudEventV1 }>).rows;
        if (rows.length > 0) await this.publisher.publish(rows.map((row) => row.event));
        await client.query("commit");
        if (rows.length === 0) {
          outboxPending.set({ store: "postgres" }, 0);
          return;
        }
        outboxPublished.inc({ store: "postgres" }, rows.length);
        // Fewer than asked for: drained. A row committed since is its writer's flush() to relay
        // (a run after this one), so no empty round to confirm it.
        if (rows.length < BATCH) {
          outboxPending.set({ store: "postgres" }, 0);
          return;
        }
      }
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
