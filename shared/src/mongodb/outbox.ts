// The outbox pattern without multi-document transactions (FerretDB 1.24 has none): a change
// and the CloudEvents describing it are written in ONE document update, the events into that
// document's `outbox` map (keyed by a hash of the event id) with `outboxCount` counting them.
// A relay publishes them to Kafka, then `$unset`s what it published. A crash between write and
// publish delays an event, never loses it; the rare double publish is absorbed by consumers,
// which are idempotent on the event id.
// (A map and $unset rather than an array and $pull: FerretDB 1.24 silently ignores $pull with a
// condition.)
import { createHash } from "node:crypto";
import type { Collection, Document, Filter, UpdateFilter } from "mongodb";
import type { CloudEventV1 } from "../cloudevents/format.ts";
import type { EventPublisher } from "../kafka/publisher.ts";
import { outboxPending, outboxPublished } from "../observability/outbox-metrics.ts";
import { Sweeper } from "../util/sweeper.ts";
import type { DocumentLocks } from "./lock.ts";

export interface WithOutbox {
  outbox?: Record<string, CloudEventV1>;
  outboxCount?: number;
  /** True while the outbox holds events: an equality FerretDB can push down and index. */
  outboxPending?: boolean;
}

const keyOf = (event: CloudEventV1) => createHash("sha1").update(event.id).digest("hex");

/** The outbox fields of a new document carrying `events`. */
export function outboxFields(events: CloudEventV1[]): Required<WithOutbox> {
  return {
    outbox: Object.fromEntries(events.map((e) => [keyOf(e), e])),
    outboxCount: events.length,
    outboxPending: events.length > 0,
  };
}

/** Adds `events` to an update of the document they describe (merged into its $set and $inc). */
export function withOutbox<T>(update: UpdateFilter<T>, events: CloudEventV1[]): UpdateFilter<T> {
  const set = Object.fromEntries(events.map((e) => [`outbox.${keyOf(e)}`, e]));
  const base = update as Record<string, Record<string, unknown> | undefined>;
  return {
    ...update,
    $set: { ...base.$set, ...set, outboxPending: true },
    $inc: { ...base.$inc, outboxCount: events.length },
  } as unknown as UpdateFilter<T>;
}

export class MongoOutboxRelay<T extends Document & WithOutbox> extends Sweeper {
  constructor(
    private readonly collection: Collection<T>,
    private readonly publisher: EventPublisher,
    private readonly options: {
      sweepMs?: number;
      /** Where writers lock a document (FerretDB needs it: see DocumentLocks). Without locks,
       * a relay must be the only writer of the outbox fields. */
      locks?: DocumentLocks;
      lockKey?: (id: unknown) => string;
    } = {},
  ) {
    super(options.sweepMs);
  }

  protected async sweep(): Promise<void> {
    const pending = await this.collection
      .find({ outboxPending: true } as Filter<T>, { projection: { _id: 1 } })
      .limit(200)
      .toArray();
    outboxPending.set({ store: "mongodb" }, pending.length);
    for (const { _id } of pending) {
      const { locks, lockKey } = this.options;
      const relay = () => this.relayOne(_id);
      await (locks && lockKey ? locks.withLock(lockKey(_id), relay) : relay());
    }
    // All relayed, unless there were more than one sweep takes (the next one counts them).
    if (pending.length < 200) outboxPending.set({ store: "mongodb" }, 0);
  }

  /** Publishes one document's queued events, then removes exactly those from its outbox. */
  private async relayOne(id: unknown): Promise<void> {
    const doc = await this.collection.findOne({ _id: id } as Filter<T>, {
      projection: { outbox: 1 },
    });
    const entries = Object.entries((doc?.outbox ?? {}) as Record<string, CloudEventV1>);
    if (entries.length > 0) await this.publisher.publish(entries.map(([, event]) => event));
    outboxPublished.inc({ store: "mongodb" }, entries.length);
    // Writers hold the document's lock too, so nothing is queued between the read and this.
    await this.collection.updateOne(
      { _id: id } as Filter<T>,
      {
        ...(entries.length > 0 && {
          $unset: Object.fromEntries(entries.map(([key]) => [`outbox.${key}`, ""])),
        }),
        $set: { outboxCount: 0, outboxPending: false },
      } as unknown as UpdateFilter<T>,
    );
  }
}
