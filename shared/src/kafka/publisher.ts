// Writes CloudEvents to Kafka: binary mode, key = subject, acknowledged by all in-sync replicas,
// through an idempotent producer (a retried send never duplicates a record).
import type { Kafka, Message, Producer, TopicMessages } from "kafkajs";
import { Partitioners } from "kafkajs";
import { catalog, isEventType } from "../cloudevents/catalog.ts";
import type { CloudEventV1 } from "../cloudevents/format.ts";
import { toKafkaMessage } from "../cloudevents/kafka-binding.ts";
import { physicalTopic, TOPICS, topicPrefix } from "../cloudevents/topics.ts";
import { describingSpans, traced } from "../observability/trace-context.ts";
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

/**
 * The broker no longer knows this idempotent producer's sequence (it was killed and recovered
 * its log, say): kafkajs would fail every later send the same way, so the producer is replaced
 * (a new producer id) and the send tried again. What the old one may already have stored can
 * be written twice; consumers are idempotent on the CloudEvent id.
 */
const PRODUCER_STATE_LOST = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
]);

export function producerStateLost(error: unknown): boolean {
  // kafkajs wraps the broker's error when it gives up retrying (`cause`, `originalError`).
  type Wrapped = { type?: string; cause?: unknown; originalError?: unknown };
  for (let e = error as Wrapped | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.type && PRODUCER_STATE_LOST.has(e.type)) return true;
    e = (e.cause ?? e.originalError) as Wrapped | undefined;
  }
  return false;
}

export class EventPublisher {
  private producer: Producer;
  private connected?: Promise<void>;
  private readonly pending: Pending[] = [];
  /** A send is scheduled (lingering) or under way: what is published meanwhile joins the next. */
  private sending?: Promise<void>;
  private lingering?: NodeJS.Timeout;

  /**
   * `lingerMs`: how long a send waits for more publishes to join it when none is in flight (the
   * Java producer's linger.ms): each Kafka request costs the producer and the broker more than
   * its records do (the ingress's figures: docs/performance.md). 0 sends at once; while a send is
   * in flight, what arrives waits for it anyway.
   */
  constructor(
    private readonly kafka: Kafka,
    private readonly prefix = topicPrefix(),
    private readonly lingerMs = 0,
  ) {
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      // One request in flight per broker keeps records of a key in order across retries.
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** A send; once more with a new producer if the broker lost this one's state. */
  private async send<T>(work: (producer: Producer) => Promise<T>): Promise<T> {
    try {
      return await work(this.producer);
    } catch (error) {
      if (!producerStateLost(error)) throw error;
      const stale = this.producer;
      this.producer = this.newProducer();
      await stale.disconnect().catch(() => undefined);
      await this.producer.connect();
      return work(this.producer);
    }
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
   * Concurrent calls are coalesced into one request while the previous one is in flight (and
   * while the first lingers), so many small publishes cost few round trips.
   */
  async publish(events: CloudEventV1[]): Promise<void> {
    if (events.length === 0) return;
    const routed = events.map((event) => ({
      topic: this.topicFor(event),
      message: toKafkaMessage(event),
    }));
    const send = async () => {
      await this.connect();
      await new Promise<void>((resolve, reject) => {
        this.pending.push({ routed, resolve, reject });
        this.sending ??=
          this.lingerMs > 0
            ? new Promise<void>((resolve) => {
                this.lingering = setTimeout(() => {
                  this.lingering = undefined;
                  resolve(this.flush());
                }, this.lingerMs);
              })
            : this.flush();
      });
    };
    // A span of the work that publishes (a request's outbox relay, say), when spans are kept.
    if (!describingSpans()) return send();
    return traced(
      "publish",
      {
        kind: "producer",
        attributes: {
          "messaging.system": "kafka",
          "messaging.operation.type": "send",
          "messaging.batch.message_count": events.length,
          "messaging.destination.name": [...new Set(routed.map((r) => r.topic))].join(","),
        },
      },
      send,
    );
  }

  private async flush(): Promise<void> {
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
        try {
          const byTopic = new Map<string, TopicMessages>();
          for (const { topic, message } of waiting.flatMap((w) => w.routed)) {
            const entry = byTopic.get(topic) ?? { topic, messages: [] };
            entry.messages.push(message);
            byTopic.set(topic, entry);
          }
          const topicMessages = [...byTopic.values()];
          await this.send((producer) => producer.sendBatch({ acks: -1, topicMessages }));
          for (const w of waiting) w.resolve();
        } catch (error) {
          for (const w of waiting) w.reject(error as Error);
        }
      }
    } finally {
      this.sending = undefined;
    }
  }

  /** Sends to an explicit topic (the dead-letter topic, say), bypassing the type routing. */
  async publishTo(topic: string, events: CloudEventV1[]): Promise<void> {
    await this.connect();
    await this.send((producer) =>
      producer.send({ topic, acks: -1, messages: events.map(toKafkaMessage) }),
    );
  }

  /** Copies a record that is not a valid CloudEvent as it is (to the dead-letter topic). */
  async publishRaw(topic: string, message: Message): Promise<void> {
    await this.connect();
    await this.send((producer) => producer.send({ topic, acks: -1, messages: [message] }));
  }

  async disconnect(): Promise<void> {
    // What lingers is sent first, not refused by a disconnected producer.
    if (this.lingering) {
      clearTimeout(this.lingering);
      this.lingering = undefined;
      this.sending = this.flush();
    }
    await this.sending;
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}
