// The transactional outbox: an event is written in the same transaction as the change it
// describes, so it exists exactly when the change does. A relay then publishes it to Kafka
// (at once after the commit, and again from a periodic sweep if the process died first). A
// crash between write and publish therefore delays the event, never loses it; consumers are
// idempotent on the event id for the rare double publish.
import type pg from "pg";
import type { CloudEventV1 } from "../cloudevents/format.ts";
import type { PlatformEvent } from "../cloudevents/platform-event.ts";
import type { EventPublisher } from "../kafka/publisher.ts";
import { log } from "../log.ts";
import { outboxPending, outboxPublished } from "../observability/outbox-metrics.ts";
import { Sweeper } from "../util/sweeper.ts";

// The table (each function's migrations create it):
//   outbox (id text primary key, event jsonb not null, created_at timestamptz, published_at timestamptz,
//           writer_claim_until timestamptz)
//
// A hot write path (a chat post) may publish its own event: the row is written with a claim of
// its writer's (`WRITER_CLAIMED_OUTBOX_ROW`), which the relay leaves alone until it lapses, and
// the writer publishes the event after the commit (`publishClaimed`) and marks it published a
// little later, with others. That is one PostgreSQL statement per write for the relay (a batched
// mark) instead of a transaction of its own (begin and claim, commit). The claim is short: while
// it lasts, a row whose writer died waits, and newer rows may reach Kafka before it (a reader
// resuming after one of those would miss it), so a failed publish hands its rows back at once.

/**
 * An event as an outbox row: `insert into ${OUTBOX_ROW} values (…)` with `outboxValues(event)`,
 * for a store that writes its change and the event in one statement.
 */
export const OUTBOX_ROW = "outbox (id, event)";
export const outboxValues = (event: PlatformEvent): [string, string] => [
  event.id,
  JSON.stringify(event),
];

/**
 * How long the relay leaves a row to the writer that claimed it: far longer than a publish takes
 * (milliseconds), short enough that what a writer that died left is relayed within seconds.
 */
export const WRITER_CLAIM_SECONDS = 2;
/** The outbox row of a writer that publishes its event itself: `select …, ${WRITER_CLAIM}`. */
export const WRITER_CLAIMED_OUTBOX_ROW = "outbox (id, event, writer_claim_until)";
export const WRITER_CLAIM = `now() + make_interval(secs => ${WRITER_CLAIM_SECONDS})`;
/** How long published ids gather before they are marked, in one statement. */
const MARK_EVERY_MS = 100;
/** Ids kept for a mark that failed (PostgreSQL away): past this, the sweep publishes them again. */
const MAX_TO_MARK = 10_000;

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
    select id from outbox
    where published_at is null and (writer_claim_until is null or writer_claim_until < now())
    order by created_at limit ${BATCH}
    for update skip locked),
  marked as (
    update outbox o set published_at = now() from claimed where o.id = claimed.id
    returning o.id, o.event, o.created_at)
  select id, event from marked order by created_at`;

export class OutboxRelay extends Sweeper {
  private countedAt = 0;
  /** Ids of writer-claimed rows published, to be marked. */
  private toMark: string[] = [];
  private markTimer?: NodeJS.Timeout;
  private marking?: Promise<void>;
  /** A claimed publish failed: writers hand their rows to the relay until a sweep succeeds. */
  private degraded = false;
  /** Publishes of writer-claimed rows, and marks, under way (awaited by `stop`). */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly publisher: EventPublisher,
    private readonly countEveryMs = 1000,
  ) {
    super(countEveryMs);
  }

  /**
   * Publishes events whose rows the caller committed with a writer's claim, then marks them
   * published, gathered with others. A failed publish hands the rows back to the relay (their
   * claim lifted), which relays them in the order they were written with the rows still waiting;
   * so do the writes that follow, until a sweep succeeds. Never lost; published twice at worst
   * (consumers are idempotent).
   */
  publishClaimed(events: PlatformEvent[]): void {
    if (this.degraded) {
      this.track(this.handBack(events));
      return;
    }
    this.track(
      this.publisher.publish(events).then(
        () => {
          for (const event of events) this.toMark.push(event.id);
          this.markTimer ??= setTimeout(() => this.track(this.mark()), MARK_EVERY_MS);
        },
        (error: unknown) => {
          log({
            level: "warn",
            msg: "outbox publish failed: handed to the relay",
            ids: events.map((event) => event.id),
            error: (error as Error).message,
          });
          this.degraded = true;
          return this.handBack(events);
        },
      ),
    );
  }

  /** Lifts the writer's claim on these rows and relays them (if that fails, the claim lapses). */
  private async handBack(events: PlatformEvent[]): Promise<void> {
    await this.pool
      .query(
        "update outbox set writer_claim_until = null where id = any($1) and published_at is null",
        [events.map((event) => event.id)],
      )
      .catch(() => undefined);
    await this.flush();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** One mark at a time: ids keep gathering while one runs. */
  private mark(): Promise<void> {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    this.marking ??= this.markGathered().finally(() => {
      this.marking = undefined;
      if (this.toMark.length > 0)
        this.markTimer ??= setTimeout(() => this.track(this.mark()), MARK_EVERY_MS);
    });
    return this.marking;
  }

  private async markGathered(): Promise<void> {
    const ids = this.toMark;
    this.toMark = [];
    if (ids.length === 0) return;
    try {
      // Rows a sweep holds (their claim lapsed) are being published by it: not waited for.
      const { rowCount } = await this.pool.query({
        name: "outbox-mark-published",
        text: `update outbox set published_at = now() where id in (
          select id from outbox where id = any($1) and published_at is null for update skip locked)`,
        values: [ids],
      });
      outboxPublished.inc({ store: "postgres" }, rowCount ?? 0);
    } catch (error) {
      log({
        level: "warn",
        msg: "outbox mark failed: tried again, or the sweep publishes those again",
        error: (error as Error).message,
      });
      this.toMark = [...ids, ...this.toMark].slice(-MAX_TO_MARK);
    }
  }

  /**
   * Waits for the publishes under way, no longer than a claim lasts (what is left is the
   * sweep's), then marks what was published.
   */
  override async stop(): Promise<void> {
    const deadline = Date.now() + WRITER_CLAIM_SECONDS * 1000;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(this.inFlight),
        new Promise((resolve) => {
          timer = setTimeout(resolve, deadline - Date.now());
        }),
      ]);
      clearTimeout(timer);
    }
    await this.marking;
    await this.markGathered();
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    await super.stop();
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
        // Relayed without failing: writers may publish their own again.
        this.degraded = false;
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
