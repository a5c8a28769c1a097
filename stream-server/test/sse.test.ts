// The gateways' feed (consumeEverything) against the real Kafka: once started, it delivers
// everything published from then on, and nothing from before (that is the owner's replay). A
// feed left to kafkajs's "latest" lost what was published in the ~100 ms between its start and
// its first fetch: a chat message accepted while the gateway restarted reached nobody.
import { randomBytes } from "node:crypto";
import { createEvent } from "@stream-platform/shared";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { until } from "@stream-platform/shared/testing";
import type { Consumer } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { consumeEverything } from "../src/sse.ts";

const prefix = `sse-test-${randomBytes(4).toString("hex")}-`;
const publisher = new EventPublisher(createKafka("sse-test"), prefix);
const consumers: Consumer[] = [];

const message = (text: string) =>
  createEvent({
    type: "streamplatform.chat.posted",
    source: "/tests/sse",
    subject: "evt_sse",
    data: {
      messageId: `msg_${randomBytes(12).toString("hex")}`,
      eventId: "evt_sse",
      channelId: "chn_sse",
      userId: "usr_sse",
      author: "tester",
      text,
      sentAt: new Date().toISOString(),
    },
  });

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect()));
  await publisher.disconnect();
  const admin = createKafka("sse-test").admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  await admin.deleteTopics({ topics });
  await admin.disconnect();
});

describe("a gateway's feed", () => {
  it("delivers what is published the moment it has started, and nothing from before", async () => {
    await publisher.connect();
    const before = message("before");
    await publisher.publish([before]);
    // Several starts, each followed at once by a message: the race the seek closes.
    for (let i = 0; i < 3; i++) {
      const received: string[] = [];
      consumers.push(
        await consumeEverything("sse-test", `${prefix}chat`, (events) =>
          received.push(...events.map((e) => e.id)),
        ),
      );
      const after = message(`after ${i}`);
      await publisher.publish([after]);
      await until(`message ${i} delivered`, () => (received.includes(after.id) ? true : undefined));
      expect(received).not.toContain(before.id);
    }
  });
});
