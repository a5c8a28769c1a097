// What Knative's KafkaSource dispatcher does: consume the topics in the source's consumer group
// and POST each record to the sink as a binary-mode CloudEvent, retrying with the `delivery`
// back-off, then sending it to the dead-letter sink. An offset is committed only once its record
// (and every one before it) is delivered or dead-lettered, so a crash redelivers (at least once)
// and never loses a record. Commits go once a second and on stop (offset-commits.ts).
//
// `spec.ordering` as Knative's consumers have it: `ordered` (the default) delivers one record
// of a partition at a time, the next only once the sink acknowledged the previous one;
// `unordered` delivers a partition's records side by side (up to UNORDERED_IN_FLIGHT), order
// not kept. A record that is not a CloudEvent (no `ce_specversion` header) is wrapped as
// Knative wraps it: type `dev.knative.kafka.event`, id `partition:P/offset:O`.
//
// One local extension: a source annotated `streamplatform.dev/delivery-batch-size: "N"` gets its
// records POSTed up to N at a time in batch mode (application/cloudevents-batch+json), in
// offset order, one request in flight per partition; a batch the sink refuses is retried one
// event at a time, so only a bad event reaches the dead letter. Knative ignores the annotation
// and delivers one event per request (knative/README.md says what that costs).

import {
  type CloudEventV1,
  currentTraceparent,
  decodeData,
  fromKafkaMessage,
  internalAuthorization,
  type Parsed,
  parseCloudEvent,
  physicalTopic,
  spansRecorded,
  toHttpBatch,
  toHttpBinary,
  traced,
} from "@stream-platform/shared";
import { createConsumer, type EventPublisher } from "@stream-platform/shared/kafka";
import type { Batch, Consumer, KafkaMessage } from "kafkajs";
import { Agent as UndiciAgent, request as undiciRequest } from "undici";
import { sleep } from "../proc.ts";
import type { LaggingSource } from "./consumer-lag.ts";
import type { Log } from "./functions.ts";
import { type Delivery, durationMs, type KafkaSource } from "./manifests.ts";
import { OffsetCommits } from "./offset-commits.ts";
import type { Target, Topology } from "./topology.ts";

/** Records of one partition in flight at once for an `unordered` source. */
export const UNORDERED_IN_FLIGHT = 100;
export const BATCH_SIZE_ANNOTATION = "streamplatform.dev/delivery-batch-size";

export interface DeliveryOutcome {
  ok: boolean;
  status?: number;
  error?: string;
  body?: string;
}

/** Knative retries on these; other 4xx answers are final. */
function retriable(outcome: DeliveryOutcome): boolean {
  const status = outcome.status;
  if (status === undefined) return true; // network error, timeout
  return status >= 500 || [404, 408, 409, 429].includes(status);
}

export function backoffMs(delivery: Delivery | undefined, attempt: number): number {
  const base = durationMs(delivery?.backoffDelay ?? "PT0.2S");
  return delivery?.backoffPolicy === "linear" ? base * attempt : base * 2 ** (attempt - 1);
}

// Kept-alive connection pools to the sinks (undici: a new connection per event, or Node's
// http client, cost more than the delivery itself).
const pools = new UndiciAgent({ connections: 128, keepAliveTimeout: 30_000 });

const traceHeader = (): Record<string, string> => {
  const traceparent = currentTraceparent();
  return traceparent ? { traceparent } : {};
};

/** POSTs one event in binary mode, or several in batch mode; never throws (a failure is an outcome). */
export async function post(
  url: string,
  events: CloudEventV1 | CloudEventV1[],
  timeoutMs: number,
): Promise<DeliveryOutcome> {
  const { headers, body } = Array.isArray(events) ? toHttpBatch(events) : toHttpBinary(events);
  try {
    const response = await undiciRequest(url, {
      method: "POST",
      // Sinks take events only with the platform-internal token (cloudevent-target.ts).
      // The delivery's span, when there is one: the sink's request is its child.
      headers: { ...headers, ...internalAuthorization(), ...traceHeader() },
      body,
      dispatcher: pools,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await response.body.text();
    const status = response.statusCode;
    return { ok: status >= 200 && status < 300, status, body: text.slice(0, 1024) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * A record that is not a CloudEvent, as Knative's KafkaSource delivers it: type
 * `dev.knative.kafka.event`, id `partition:P/offset:O`, subject `partition:P#O`, the record's
 * time, its value as data (typed by its `content-type` header), its key as the `key` extension
 * and its headers as `kafkaheader<name>` extensions.
 */
export function wrapRecord(
  message: KafkaMessage,
  where: { source: string; partition: number },
): Parsed<CloudEventV1> {
  const headers: Record<string, string> = {};
  let contentType: string | undefined;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const text = (Array.isArray(value) ? value[0] : value)?.toString();
    if (text === undefined) continue;
    if (name.toLowerCase() === "content-type") contentType = text;
    const extension = `kafkaheader${name.toLowerCase().replace(/[^a-z0-9]/g, "")}`.slice(0, 20);
    headers[extension] = text;
  }
  const data = decodeData(message.value, contentType);
  if (!data.ok) return data;
  return parseCloudEvent({
    specversion: "1.0",
    id: `partition:${where.partition}/offset:${message.offset}`,
    source: where.source,
    type: "dev.knative.kafka.event",
    subject: `partition:${where.partition}#${message.offset}`,
    time: new Date(Number(message.timestamp)).toISOString(),
    ...(data.value !== undefined && {
      datacontenttype: contentType ?? "application/octet-stream",
      data: data.value,
    }),
    ...headers,
    ...(message.key && { key: message.key.toString("utf8") }),
  });
}

export class KafkaSourceDispatcher {
  private consumer?: Consumer;
  private stopping = false;
  private commits?: OffsetCommits;
  /** The batches being delivered: stopping waits for them before its last commit. */
  private readonly inHand = new Set<Promise<void>>();
  delivered = 0;
  deadLettered = 0;

  constructor(
    private readonly source: KafkaSource,
    private readonly topology: Topology,
    private readonly publisher: EventPublisher,
    private readonly log: Log,
    private readonly topicPrefix?: string,
  ) {}

  get name(): string {
    return this.source.metadata.name;
  }

  /** Its consumer group and topics, as Kafka knows them (the lag monitor reads them). */
  get lagging(): LaggingSource {
    const spec = this.source.spec;
    return {
      name: this.name,
      // Prefixed like the topics: runtimes with different prefixes (a benchmark beside the
      // platform, say) must not share a group, or they would split each other's partitions.
      groupId: `${this.topicPrefix ?? ""}${spec.consumerGroup ?? `knative-kafkasource-${this.name}`}`,
      topics: spec.topics.map((topic) => physicalTopic(topic, this.topicPrefix)),
      fromBeginning: spec.initialOffset === "earliest",
    };
  }

  private get ordering(): "ordered" | "unordered" {
    return this.source.spec.ordering ?? "ordered";
  }

  private get batchSize(): number {
    const size = Number(this.source.metadata.annotations?.[BATCH_SIZE_ANNOTATION] ?? 1);
    return Number.isInteger(size) && size > 1 ? size : 1;
  }

  async start(): Promise<void> {
    const spec = this.source.spec;
    const sink = this.topology.resolve(spec.sink);
    const deadLetter = spec.delivery?.deadLetterSink
      ? this.topology.resolve(spec.delivery.deadLetterSink)
      : undefined;
    const consumer = createConsumer(`kafkasource-${this.name}`, {
      groupId: this.lagging.groupId,
      // Short polls: a record is dispatched as soon as it is written.
      maxWaitTimeInMs: 100,
      // A batching sink takes what has piled up in one request (kafkajs fetches 1 MiB at most).
      ...(this.batchSize > 1 && { maxBytesPerPartition: 16 << 20, maxBytes: 64 << 20 }),
    });
    this.consumer = consumer;
    const commits = new OffsetCommits(consumer, (message) => this.log(`${this.name}: ${message}`));
    this.commits = commits;
    await consumer.connect();
    await consumer.subscribe({
      topics: this.lagging.topics,
      fromBeginning: this.lagging.fromBeginning,
    });
    await consumer.run({
      partitionsConsumedConcurrently: 8,
      eachBatchAutoResolve: false,
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, resolveOffset }) => {
        // kafkajs fetches on from the offsets resolved; this commits them.
        const delivered = (offset: string) => {
          resolveOffset(offset);
          commits.delivered(batch.topic, batch.partition, offset);
        };
        const delivering = this.deliverBatch(batch, delivered, sink, deadLetter, heartbeat);
        this.inHand.add(delivering);
        try {
          await delivering;
        } finally {
          this.inHand.delete(delivering);
        }
      },
    });
    if (!this.stopping) commits.start();
  }

  /** A batch's records to the sink, each offset marked delivered as its record is done. */
  private async deliverBatch(
    batch: Batch,
    resolveOffset: (offset: string) => void,
    sink: Target,
    deadLetter: Target | undefined,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const size = this.batchSize;
    if (size > 1 && sink.kind === "http") {
      for (let start = 0; start < batch.messages.length; start += size) {
        const chunk = batch.messages.slice(start, start + size);
        await this.dispatchChunk(chunk, batch.topic, batch.partition, sink, deadLetter, heartbeat);
      }
      resolveOffset(batch.lastOffset());
      await heartbeat();
      return;
    }
    if (this.ordering === "ordered") {
      // One at a time: the next record only once the sink acknowledged this one.
      for (const message of batch.messages) {
        await this.dispatch(message, batch.topic, batch.partition, sink, deadLetter, heartbeat);
        resolveOffset(message.offset);
      }
    } else {
      const queue = [...batch.messages];
      const worker = async () => {
        for (let message = queue.shift(); message; message = queue.shift())
          await this.dispatch(message, batch.topic, batch.partition, sink, deadLetter, heartbeat);
      };
      await Promise.all(
        Array.from({ length: Math.min(UNORDERED_IN_FLIGHT, queue.length) }, worker),
      );
    }
    // Only now is the whole batch delivered or dead-lettered.
    resolveOffset(batch.lastOffset());
    await heartbeat();
  }

  /** Records in one batch-mode request; one by one if the sink refuses the batch. */
  private async dispatchChunk(
    chunk: KafkaMessage[],
    topic: string,
    partition: number,
    sink: Target,
    deadLetter: Target | undefined,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const valid: { message: KafkaMessage; event: CloudEventV1 }[] = [];
    for (const message of chunk) {
      const parsed = this.read(message, topic, partition);
      if (parsed.ok) valid.push({ message, event: parsed.value });
      else await this.dispatch(message, topic, partition, sink, deadLetter, heartbeat);
    }
    if (valid.length === 0) return;
    const events = valid.map((v) => v.event);
    const url = sink.kind === "http" ? sink.url : "";
    const outcome = await this.delivering(events, topic, partition, () =>
      this.withRetries((timeoutMs) => post(url, events, timeoutMs), heartbeat),
    );
    if (outcome.ok) {
      this.delivered += events.length;
      return;
    }
    this.log(
      `${this.name}: a batch of ${events.length} failed (${outcome.status ?? outcome.error}); delivering its events one by one`,
    );
    for (const { message } of valid)
      await this.dispatch(message, topic, partition, sink, deadLetter, heartbeat);
  }

  /**
   * A delivery (with its retries) as a span of the first event's trace, as Knative's dispatcher
   * would be; only when spans are exported (without, the events' own traceparent goes on).
   */
  private delivering(
    events: CloudEventV1[],
    topic: string,
    partition: number,
    deliver: () => Promise<DeliveryOutcome>,
  ): Promise<DeliveryOutcome> {
    if (!spansRecorded()) return deliver();
    return traced(
      `deliver ${this.name}`,
      {
        kind: "consumer",
        traceparent: events[0]?.extensions.traceparent,
        attributes: {
          "messaging.system": "kafka",
          "messaging.operation.type": "process",
          "messaging.destination.name": topic,
          "messaging.destination.partition.id": String(partition),
          "messaging.batch.message_count": events.length,
          ...(events.length === 1 && events[0] && { "cloudevents.event_id": events[0].id }),
        },
      },
      async (span) => {
        const outcome = await deliver();
        if (!outcome.ok) span.fail(`not delivered: ${outcome.status ?? outcome.error}`);
        return outcome;
      },
    );
  }

  /** The record as a CloudEvent: its own, or Knative's wrapping of a record that is not one. */
  private read(message: KafkaMessage, topic: string, partition: number) {
    const isCloudEvent = Object.keys(message.headers ?? {}).some(
      (name) => name.toLowerCase() === "ce_specversion",
    );
    if (isCloudEvent) return fromKafkaMessage(message);
    return wrapRecord(message, {
      source: `/apis/v1/namespaces/default/kafkasources/${this.name}#${topic}`,
      partition,
    });
  }

  private async dispatch(
    message: KafkaMessage,
    topic: string,
    partition: number,
    sink: Target,
    deadLetter: Target | undefined,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const parsed = this.read(message, topic, partition);
    if (!parsed.ok) {
      // A CloudEvent that breaks the spec: no sink can take it, so it goes to the dead letter as it is.
      this.log(
        `${this.name}: record at offset ${message.offset} is an invalid CloudEvent: ${parsed.problems.map((p) => p.detail).join("; ")}`,
      );
      await this.deadLetterRaw(
        message,
        deadLetter,
        parsed.problems.map((p) => p.detail).join("; "),
      );
      return;
    }
    const event = parsed.value;
    const outcome = await this.delivering([event], topic, partition, () =>
      this.withRetries(
        (timeoutMs) =>
          sink.kind === "http" ? post(sink.url, event, timeoutMs) : this.toTopic(sink.topic, event),
        heartbeat,
      ),
    );
    if (outcome.ok) {
      this.delivered += 1;
      return;
    }
    this.log(
      `${this.name}: ${event.type} ${event.id} failed (${outcome.status ?? outcome.error}) after ${1 + (this.source.spec.delivery?.retry ?? 0)} attempt(s)`,
    );
    if (deadLetter) {
      await this.deadLetterEvent(event, deadLetter, sink, outcome);
      this.deadLettered += 1;
    }
  }

  /** A delivery with the source's retries and back-off; the last outcome. */
  private async withRetries(
    send: (timeoutMs: number) => Promise<DeliveryOutcome>,
    heartbeat: () => Promise<void>,
  ): Promise<DeliveryOutcome> {
    const delivery = this.source.spec.delivery;
    const timeoutMs = delivery?.timeout ? durationMs(delivery.timeout) : 30_000;
    const attempts = 1 + (delivery?.retry ?? 0);
    let outcome: DeliveryOutcome = { ok: false };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      outcome = await send(timeoutMs);
      if (outcome.ok) return outcome;
      if (this.stopping) {
        // Not delivered and not dead-lettered: leave the offset uncommitted for the next run.
        throw new Error(`${this.name}: stopping before a delivery succeeded`);
      }
      if (!retriable(outcome) || attempt === attempts) break;
      const wait = backoffMs(delivery, attempt);
      // Keep the group membership alive through long back-offs.
      for (let waited = 0; waited < wait; waited += 1000) {
        await sleep(Math.min(1000, wait - waited));
        await heartbeat();
      }
    }
    return outcome;
  }

  private async toTopic(topic: string, event: CloudEventV1): Promise<DeliveryOutcome> {
    try {
      await this.publisher.publishTo(topic, [event]);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }

  /** As Knative does: the event, with extensions saying where and how delivery failed. */
  private async deadLetterEvent(
    event: CloudEventV1,
    deadLetter: Target,
    sink: Target,
    outcome: DeliveryOutcome,
  ): Promise<void> {
    const failed: CloudEventV1 = {
      ...event,
      extensions: {
        ...event.extensions,
        knativeerrordest: sink.kind === "http" ? sink.url : sink.topic,
        ...(outcome.status !== undefined && { knativeerrorcode: String(outcome.status) }),
        knativeerrordata: Buffer.from(outcome.body ?? outcome.error ?? "").toString("base64"),
      },
    };
    await this.sendToDeadLetter(deadLetter, failed);
  }

  private async deadLetterRaw(
    message: KafkaMessage,
    deadLetter: Target | undefined,
    reason: string,
  ): Promise<void> {
    if (deadLetter?.kind !== "kafka") return;
    await this.publisher.publishRaw(deadLetter.topic, {
      key: message.key,
      value: message.value,
      headers: { ...message.headers, "streamplatform-error": reason },
    });
    this.deadLettered += 1;
  }

  private async sendToDeadLetter(deadLetter: Target, event: CloudEventV1): Promise<void> {
    // Retried until it is stored: dropping it here would lose the event.
    for (let attempt = 1; ; attempt++) {
      const outcome =
        deadLetter.kind === "kafka"
          ? await this.toTopic(deadLetter.topic, event)
          : await post(deadLetter.url, event, 30_000);
      if (outcome.ok) return;
      this.log(
        `${this.name}: dead-letter delivery failed (${outcome.status ?? outcome.error}); retrying`,
      );
      await sleep(Math.min(30_000, 500 * 2 ** attempt));
    }
  }

  /** Finishes the record in hand, commits, and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.commits?.stop();
    const consumer = this.consumer;
    if (consumer) {
      // No batch starts from here; those in hand end (a failing delivery ends them), and what
      // is delivered is committed while the consumer still runs: kafkajs's own stop stops
      // running before it waits for them, and commits nothing after that.
      consumer.pause(this.lagging.topics.map((topic) => ({ topic })));
      await Promise.allSettled([...this.inHand]);
      await this.commits?.flush();
    }
    await consumer?.disconnect();
  }
}
