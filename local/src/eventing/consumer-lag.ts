// Each KafkaSource's consumer lag per partition, as Kafka's lag exporters measure it: the
// partition's end offset minus the group's committed offset, read with the admin API every few
// seconds (so a stuck sink shows as growing lag even while no batch completes). Served as
// `kafka_consumer_lag{source,topic,partition}` on the runtime's /metrics.
import { metrics } from "@stream-platform/shared";
import type { Admin, Kafka } from "kafkajs";

const consumerLag = metrics.gauge(
  "kafka_consumer_lag",
  "Records of a partition its KafkaSource has not delivered yet (end offset minus committed offset).",
  ["source", "topic", "partition"],
);

export interface LaggingSource {
  name: string;
  groupId: string;
  /** Physical topic names. */
  topics: string[];
  /** Where a group without a committed offset starts (KafkaSource's initialOffset). */
  fromBeginning: boolean;
}

/** Lag of one partition: what is past the committed offset (or where the group would start). */
export function partitionLag(
  committed: number,
  end: { low: number; high: number },
  fromBeginning: boolean,
): number {
  if (committed < 0) return fromBeginning ? end.high - end.low : 0;
  return Math.max(0, end.high - Math.max(committed, end.low));
}

export class ConsumerLagMonitor {
  private admin?: Admin;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly sources: LaggingSource[],
    private readonly log: (message: string) => void,
    private readonly everyMs = 5000,
  ) {}

  start(): void {
    if (this.sources.length === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.measure()
        .catch((error: unknown) => this.log(`consumer lag not measured: ${String(error)}`))
        .finally(() => {
          this.running = undefined;
        });
    }, this.everyMs);
    this.timer.unref();
  }

  /** One round: every source's partitions. */
  async measure(): Promise<void> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const admin = this.admin;
    const ends = new Map<string, Map<number, { low: number; high: number }>>();
    for (const topic of new Set(this.sources.flatMap((s) => s.topics))) {
      const offsets = await admin.fetchTopicOffsets(topic);
      ends.set(
        topic,
        new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }])),
      );
    }
    for (const source of this.sources) {
      const committed = await admin.fetchOffsets({
        groupId: source.groupId,
        topics: source.topics,
      });
      for (const { topic, partitions } of committed)
        for (const { partition, offset } of partitions) {
          const end = ends.get(topic)?.get(partition);
          if (!end) continue;
          consumerLag.set(
            { source: source.name, topic, partition },
            partitionLag(Number(offset), end, source.fromBeginning),
          );
        }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.admin?.disconnect();
  }
}
