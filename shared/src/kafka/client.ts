// Kafka clients for the platform: one place for broker addresses, logging and topic creation.
import { Kafka, type KafkaConfig, logLevel } from "kafkajs";
import { serviceUrls } from "../config.ts";

// kafkajs warns once per process about a partitioner change from 2019; we pick it explicitly.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = "1";

export function createKafka(clientId: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers: serviceUrls().kafkaBrokers,
    logLevel: logLevel.ERROR,
    ...overrides,
  });
}

/** Creates the topics that do not exist yet (partitions for per-entity ordering and spread). */
export async function ensureTopics(
  kafka: Kafka,
  topics: string[],
  numPartitions = 3,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions })),
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}
