// Kafka: the client and the CloudEvents publisher (a subpath, so functions without Kafka do not load kafkajs).
export * from "./client.ts";
export * from "./publisher.ts";
