// Kafka clients for the platform: one place for broker addresses, logging and topic creation.
import { type Consumer, type ConsumerConfig, Kafka, type KafkaConfig, logLevel } from "kafkajs";
import { serviceUrls } from "../config.ts";
import "./request-queue-fix.ts";

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

// How long a consumer keeps trying through a broker outage (~2 min, at most 2 s between tries).
// kafkajs's default gives up after ~10 s; a consumer that crashes rejoins as a new member, and
// the group then waits a whole session timeout (30 s) for the old one before anything is
// consumed again. Riding the outage out keeps the membership: consumption resumes ~2 s after the
// broker is back (measured with a SIGKILLed Kafka that took 16 s to restart).
export const CONSUMER_RETRY = { retries: 60, initialRetryTime: 300, maxRetryTime: 2000 };

/** A consumer that keeps its group membership through a broker restart. */
export function createConsumer(
  clientId: string,
  config: ConsumerConfig,
  overrides: Partial<KafkaConfig> = {},
): Consumer {
  return createKafka(clientId, { retry: CONSUMER_RETRY, ...overrides }).consumer({
    retry: CONSUMER_RETRY,
    ...config,
  });
}

/**
 * Where each of a topic's partitions ends now (the offset the next record will get). A consumer
 * that must see everything published from this moment seeks there: "latest" is only resolved at
 * its first fetch, some time after `run()` returns, and whatever lands in between is skipped.
 */
export async function topicEnds(
  kafka: Kafka,
  topic: string,
): Promise<{ partition: number; offset: string }[]> {
  const admin = kafka.admin({ retry: CONSUMER_RETRY });
  await admin.connect();
  try {
    // A topic just created may not have its leaders known yet (NOT_LEADER_OR_FOLLOWER), an
    // error kafkajs's admin does not retry here.
    for (let attempt = 1; ; attempt++) {
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets.map(({ partition, high }) => ({ partition, offset: high }));
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || attempt >= 40) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
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
