// Kafka topics: the one place their names live. A prefix (KAFKA_TOPIC_PREFIX) lets a test or a
// second deployment share a cluster without sharing topics.

export const TOPICS = {
  events: "events",
  streams: "streams",
  channels: "channels",
  subscriptions: "subscriptions",
  notifications: "notifications",
  viewerActivity: "viewer-activity",
  history: "history",
  chat: "chat",
  users: "users",
  diagnostics: "diagnostics",
  deadLetter: "dead-letter",
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export function topicPrefix(): string {
  return process.env.KAFKA_TOPIC_PREFIX ?? "";
}

/** The topic as it is named on the broker. */
export function physicalTopic(topic: string, prefix = topicPrefix()): string {
  return `${prefix}${topic}`;
}
