// Writes CloudEvents to Kafka: binary mode, key = subject, acknowledged by all in-sync replicas,
// through an idempotent producer (a retried send never duplicates a record).
import type { Kafka, Message, Producer, TopicMessages } from "kafkajs";
import { Partitioners } from "kafkajs";
import { catalog, isEventType } from "../cloudevents/catalog.ts";
import type { CloudEventV1 } from "../cloudevents/format.ts";
import { toKafkaMessage } from "../cloudevents/kafka-binding.ts";
import { physicalTopic, TOPICS, topicPrefix } from "../cloudevents/topics.ts";
import { ensureTopics } from "./client.ts";

interface Pending {
  routed: { topic: string; message: Message }[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/** How many waiting publish calls one Kafka request may carry. */
const MAX_COALESCED_CALLS = 500;
/**
 * And about how many bytes: coalescing must not build a record batch over the broker's
 * `message.max.bytes` (1 MiB by default, per partition), which it refuses whole.
 */
const MAX_COALESCED_BYTES = 512 * 1024;

const sizeOf = (routed: Pending["routed"]) =>
  routed.reduce((sum, { message }) => {
    const value = message.value;
    const headers = Object.entries(message.headers ?? {}).reduce(
      (n, [k, v]) => n + k.length + String(v ?? "").length,
      0,
    );
    return sum + (value ? value.length : 0) + headers + 64;
  }, 0);

export class EventPublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;
  private readonly pending: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly prefix = topicPrefix(),
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      // One request in flight per broker keeps records of a key in order across retries.
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Connects once, creating the platform's topics if they are missing. */
  connect(): Promise<void> {
    this.connected ??= (async () => {
      await ensureTopics(
        this.kafka,
        Object.values(TOPICS).map((t) => physicalTopic(t, this.prefix)),
      );
      await this.producer.connect();
    })();
    return this.connected;
  }

  topicFor(event: CloudEventV1): string {
    if (!isEventType(event.type))
      throw new Error(`no topic for unknown event type "${event.type}"`);
    return physicalTopic(catalog[event.type].topic, this.prefix);
  }

  /**
   * Resolves once Kafka has acknowledged every event (acks from all in-sync replicas).
   * Concurrent calls are coalesced into one request while the previous one is in flight (what
   * the Java producer's linger does), so many small publishes cost few round trips.
   */
  async publish(events: CloudEventV1[]): Promise<void> {
    if (events.length === 0) return;
    const routed = events.map((event) => ({
      topic: this.topicFor(event),
      message: toKafkaMessage(event),
    }));
    await this.connect();
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ routed, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        // At least one call; more while they fit.
        let take = 1;
        let bytes = sizeOf(this.pending[0]?.routed ?? []);
        while (take < this.pending.length && take < MAX_COALESCED_CALLS) {
          const next = sizeOf(this.pending[take]?.routed ?? []);
          if (bytes + next > MAX_COALESCED_BYTES) break;
          bytes += next;
          take += 1;
        }
        const waiting = this.pending.splice(0, take);
        const byTopic = new Map<string, TopicMessages>();
        for (const { topic, message } of waiting.flatMap((w) => w.routed)) {
          const entry = byTopic.get(topic) ?? { topic, messages: [] };
          entry.messages.push(message);
          byTopic.set(topic, entry);
        }
        try {
          await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic.values()] });
          for (const w of waiting) w.resolve();
        } catch (error) {
          for (const w of waiting) w.reject(error as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Sends to an explicit topic (the dead-letter topic, say), bypassing the type routing. */
  async publishTo(topic: string, events: CloudEventV1[]): Promise<void> {
    await this.connect();
    await this.producer.send({ topic, acks: -1, messages: events.map(toKafkaMessage) });
  }

  /** Copies a record that is not a valid CloudEvent as it is (to the dead-letter topic). */
  async publishRaw(topic: string, message: Message): Promise<void> {
    await this.connect();
    await this.producer.send({ topic, acks: -1, messages: [message] });
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}
