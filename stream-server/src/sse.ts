// What the SSE gateways (notifications.ts, chat.ts) share: a topic consumed by every instance
// (a consumer group of its own, from the latest offset: what came before a connection is the
// owning function's to replay), the stream's opening, heartbeats, and per-connection memory of
// the ids sent (Kafka redelivers; a replay overlaps what arrives live), and caps on how many
// streams are open.
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { hostname } from "node:os";
import {
  fromKafkaMessage,
  HttpProblem,
  type PlatformEvent,
  physicalTopic,
  serviceUnavailable,
  tooManyRequests,
  validatePlatformEvent,
} from "@stream-platform/shared";
import {
  CONSUMER_RETRY,
  createConsumer,
  createKafka,
  topicEnds,
} from "@stream-platform/shared/kafka";
import type { Consumer } from "kafkajs";

/**
 * Consumes `topic` in a group of this instance's own; each batch's valid platform events (their
 * data checked against the catalog, so `event.type` narrows it) to `handle`. (key-rotations.ts
 * hears rotated stream keys so too.)
 */
export async function consumeEverything(
  name: string,
  topic: string,
  handle: (events: PlatformEvent[]) => void,
): Promise<Consumer> {
  const groupId = `${name}-${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
  const physical = physicalTopic(topic);
  // Everything published from here on is delivered: a client whose replay was read after this
  // moment cannot fall in a gap between the replay and the live feed.
  const ends = await topicEnds(createKafka(name, { retry: CONSUMER_RETRY }), physical);
  const consumer = createConsumer(name, { groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [physical], fromBeginning: false });
  await consumer.run({
    // The group is this process's alone and starts where the topic ends (below): an offset
    // commit after every batch would be a broker write, and a wait before the next fetch,
    // that nothing ever reads.
    autoCommit: false,
    // A batch at a time: a gateway writes once per connection for all of a batch's events.
    eachBatch: async ({ batch }) => {
      const events: PlatformEvent[] = [];
      for (const message of batch.messages) {
        const parsed = fromKafkaMessage(message);
        const valid = parsed.ok ? validatePlatformEvent(parsed.value) : undefined;
        if (valid?.ok) events.push(valid.value);
      }
      if (events.length > 0) handle(events);
    },
  });
  for (const { partition, offset } of ends) consumer.seek({ topic: physical, partition, offset });
  return consumer;
}

/**
 * Throws 503 until the gateway consumes its topic: a stream opened earlier could miss what is
 * published between its replay and the consumer's start (clients retry, EventSource included).
 */
export function assertStarted(consumer: Consumer | undefined, gateway: string): void {
  if (!consumer) throw new HttpProblem(serviceUnavailable(`the ${gateway} gateway is starting`, 1));
}

/** Starts an event stream on `res` (unbuffered at the edge; reconnect after 3 s). */
export function openEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    "x-accel-buffering": "no",
    connection: "keep-alive",
  });
  res.write("retry: 3000\n\n");
}

/**
 * One SSE event; `id` (which becomes the client's Last-Event-ID) only for what is replayable.
 * A `message` goes without its `event:` line, the type a client assumes (fewer bytes on the
 * busiest streams: a chat room's).
 */
export const sseEvent = (event: string, data: unknown, id?: string) =>
  `${id ? `id: ${id}\n` : ""}${event === "message" ? "" : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;

/** A comment on every connection every `ms`, so proxies and browsers keep them open. */
export function heartbeat(each: () => Iterable<ServerResponse>, ms = 15_000): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const res of each()) res.write(": heartbeat\n\n");
  }, ms);
  timer.unref();
  return timer;
}

/** The ids last sent on a connection (the oldest forgotten beyond `max`). */
export class SentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly max = 1000) {}

  /** True the first time an id is seen. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }
}

/**
 * Caps on the streams a gateway holds open: in all (its memory and sockets), and per key (an
 * account, or a client address where streams are anonymous), so one client cannot take them all.
 */
export class ConnectionCaps {
  private total = 0;
  private readonly perKey = new Map<string, number>();

  constructor(
    private readonly maxPerKey: number,
    private readonly what: string,
    private readonly maxTotal = Number(process.env.SSE_MAX_CONNECTIONS ?? 20_000),
  ) {}

  /**
   * Counts a new stream of `key` and returns what ends it (call it once, when it closes); throws
   * 429 past the per-key cap, 503 past the total.
   */
  admit(key: string): () => void {
    const mine = this.perKey.get(key) ?? 0;
    if (mine >= this.maxPerKey)
      throw new HttpProblem(
        tooManyRequests(`${this.what} has ${mine} streams open already: close one first`, 10),
      );
    if (this.total >= this.maxTotal)
      throw new HttpProblem(serviceUnavailable("this gateway holds all the streams it can", 10));
    this.perKey.set(key, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perKey.get(key) ?? 1) - 1;
      if (left > 0) this.perKey.set(key, left);
      else this.perKey.delete(key);
    };
  }
}
