// The outbox pattern without multi-document transactions (FerretDB 1.24 has none): a change
// and the CloudEvents describing it are written in ONE document update, the events into that
// document's `outbox` array. A relay publishes them to Kafka and pulls them out. A crash between
// write and publish delays an event, never loses it; the rare double publish is absorbed by
// consumers, which are idempotent on the event id.
import type { Collection, Document, Filter, UpdateFilter } from "mongodb";
import type { CloudEventV1 } from "../cloudevents/format.ts";
import type { EventPublisher } from "../cloudevents/publisher.ts";

export interface WithOutbox {
  outbox?: CloudEventV1[];
}

/** The part of an update that queues events with the change. */
export function queueEvents(events: CloudEventV1[]): UpdateFilter<WithOutbox> {
  return { $push: { outbox: { $each: events } } } as UpdateFilter<WithOutbox>;
}

export class MongoOutboxRelay<T extends Document & WithOutbox> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly collection: Collection<T>,
    private readonly publisher: EventPublisher,
    private readonly sweepMs = 1000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.sweepMs);
    this.timer.unref();
  }

  flush(): Promise<void> {
    this.running ??= this.publishPending().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async publishPending(): Promise<void> {
    try {
      const pending = await this.collection
        .find({ "outbox.0": { $exists: true } } as Filter<T>, { projection: { _id: 1, outbox: 1 } })
        .limit(200)
        .toArray();
      for (const doc of pending) {
        const events: CloudEventV1[] = (doc.outbox as CloudEventV1[] | undefined) ?? [];
        await this.publisher.publish(events);
        await this.collection.updateOne(
          { _id: doc._id } as Filter<T>,
          {
            $pull: { outbox: { id: { $in: events.map((e) => e.id) } } },
          } as unknown as UpdateFilter<T>,
        );
      }
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "warn",
          msg: "outbox relay failed",
          error: (error as Error).message,
        }),
      );
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
