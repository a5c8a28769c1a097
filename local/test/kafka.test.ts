import { serviceUrls } from "@stream-platform/shared";
import { type Consumer, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "./names.ts";

const kafka = new Kafka({
  clientId: "infra-test",
  brokers: serviceUrls().kafkaBrokers,
  logLevel: logLevel.NOTHING,
});

/** Consumes until `count` messages arrived, committing each batch; returns their values. */
async function consume(consumer: Consumer, topic: string, count: number): Promise<string[]> {
  const seen: string[] = [];
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${seen.length}/${count} messages arrived`)),
      30_000,
    );
    consumer
      .run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? "");
          if (seen.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  return seen;
}

describe("Kafka (kafkajs against the local broker)", () => {
  const topic = uniqueName("t_kafka");
  const groupId = uniqueName("t_group");
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it("produces with an idempotent producer and consumes in a group with committed offsets", async () => {
    const messages = Array.from({ length: 20 }, (_, i) => ({
      key: `key-${i % 4}`,
      value: `message-${i}`,
      headers: { ce_id: `id-${i}` },
    }));
    await producer.send({ topic, acks: -1, messages });

    const first = kafka.consumer({ groupId });
    await first.connect();
    const received = await consume(first, topic, messages.length);
    await first.disconnect(); // commits what was processed
    expect([...received].sort()).toEqual(messages.map((m) => m.value).sort());

    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets[0]?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(messages.length);

    // The same group resumes after its committed offsets: only the new message arrives.
    await producer.send({ topic, acks: -1, messages: [{ key: "key-0", value: "after-restart" }] });
    const second = kafka.consumer({ groupId });
    await second.connect();
    const resumed = await consume(second, topic, 1);
    await second.disconnect();
    expect(resumed).toEqual(["after-restart"]);
  });
});
