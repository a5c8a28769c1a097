// A KafkaSource dispatcher's offset commits: once a second and when it stops, not after every
// batch as kafkajs does by default. Each commit is a write to Kafka's offsets log, and at a few
// hundred batches a second they were most of the broker's CPU. A crash redelivers up to a
// second's records; every consumer is idempotent on the CloudEvent id.
import type { Consumer } from "kafkajs";

/** How often delivered offsets are committed. */
const COMMIT_EVERY_MS = 1000;

interface Offset {
  topic: string;
  partition: number;
  /** The next offset to read, as Kafka commits it. */
  offset: string;
}

export class OffsetCommits {
  /** Delivered and not yet committed: by topic and partition. */
  private readonly uncommitted = new Map<string, Offset>();
  private timer?: NodeJS.Timeout;
  /** The commit under way: one at a time, so an older one never lands after a newer. */
  private committing?: Promise<void>;

  constructor(
    private readonly consumer: Consumer,
    private readonly warn: (message: string) => void,
  ) {
    // A consumer that gave up for good commits nothing more.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.stop();
    });
    // After a rebalance, offsets of partitions now another member's are not committed: that
    // member may be further on already, and a commit from here would move it back.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const [key, { topic, partition }] of this.uncommitted)
        if (!payload.memberAssignment[topic]?.includes(partition)) this.uncommitted.delete(key);
    });
  }

  start(): void {
    this.timer = setInterval(() => {
      if (!this.committing) void this.commit();
    }, COMMIT_EVERY_MS);
    this.timer.unref();
  }

  /** `offset`'s record, and every one before it in its partition, is delivered. */
  delivered(topic: string, partition: number, offset: string): void {
    const next = (BigInt(offset) + 1n).toString();
    this.uncommitted.set(`${topic}\0${partition}`, { topic, partition, offset: next });
  }

  /** Commits what is delivered, after the commit under way. */
  async flush(): Promise<void> {
    await this.committing;
    await this.commit();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private commit(): Promise<void> {
    this.committing ??= this.commitDelivered().finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }

  /**
   * What is delivered, forgotten only once committed: kafkajs returns without committing (and
   * without an error) while its consumer is not running, a crash's restart say, so what is
   * still here is tried again next time.
   */
  private async commitDelivered(): Promise<void> {
    if (this.uncommitted.size === 0) return;
    const offsets = [...this.uncommitted.entries()];
    let committed = false;
    const confirm = this.consumer.on(this.consumer.events.COMMIT_OFFSETS, () => {
      committed = true;
    });
    try {
      await this.consumer.commitOffsets(offsets.map(([, offset]) => offset));
    } catch (error) {
      this.warn(`committing offsets failed (${(error as Error).message}); retrying`);
    } finally {
      confirm();
    }
    if (!committed) return;
    // Unless a later delivery changed it meanwhile.
    for (const [key, offset] of offsets)
      if (this.uncommitted.get(key) === offset) this.uncommitted.delete(key);
  }
}
