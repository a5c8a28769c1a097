// How far an outbox relay is behind: events written with their change and not yet on Kafka. A
// backlog that does not drain means Kafka (or the relay) is away, and events are late, not lost.
import { metrics } from "./metrics.ts";

export const outboxPending = metrics.gauge(
  "outbox_pending",
  "Outbox entries not yet published: 0 after a sweep that relayed all, the count it found if it failed (MongoDB: documents, at most 200 counted).",
  ["store"],
);

export const outboxPublished = metrics.counter(
  "outbox_published_total",
  "Events the outbox relay published to Kafka.",
  ["store"],
);
