// Watches Kafka topics from now on, for tests that check which CloudEvents an action emitted.
import { randomBytes } from "node:crypto";
import { logLevel } from "kafkajs";
import type { CloudEventV1 } from "../cloudevents/format.ts";
import { fromKafkaMessage } from "../cloudevents/kafka-binding.ts";
import { physicalTopic } from "../cloudevents/topics.ts";
import { createConsumer, createKafka, ensureTopics } from "../kafka/client.ts";
import { until } from "./wait.ts";

export interface EventWatch {
  events: CloudEventV1[];
  /** Resolves with the first event matching, or rejects after `timeoutMs`. */
  waitFor(match: (event: CloudEventV1) => boolean, timeoutMs?: number): Promise<CloudEventV1>;
  stop(): Promise<void>;
}

export async function watchEvents(topics: string[]): Promise<EventWatch> {
  // Quiet: a test that breaks Kafka on purpose (faults/) would drown in the consumer's retries;
  // a watch that misses its event says so through waitFor.
  const kafka = createKafka("test-watch", { logLevel: logLevel.NOTHING });
  const names = topics.map((t) => physicalTopic(t));
  await ensureTopics(kafka, names);
  const groupId = `test-watch-${randomBytes(6).toString("hex")}`;
  const admin = kafka.admin();
  await admin.connect();
  // Start at the current end of each topic: only what happens from now on counts.
  for (const topic of names) {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.offset })),
    });
  }
  await admin.disconnect();
  const consumer = createConsumer(
    "test-watch",
    { groupId, maxWaitTimeInMs: 100 },
    { logLevel: logLevel.NOTHING },
  );
  await consumer.connect();
  await consumer.subscribe({ topics: names });
  const events: CloudEventV1[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const parsed = fromKafkaMessage(message);
      if (parsed.ok) events.push(parsed.value);
    },
  });
  return {
    events,
    waitFor: (match, timeoutMs = 15_000) =>
      until(`a matching event (saw ${events.length})`, () => events.find(match), timeoutMs),
    stop: () => consumer.disconnect(),
  };
}
