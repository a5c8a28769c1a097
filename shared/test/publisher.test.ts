// A broker killed and recovered can forget an idempotent producer's sequence; kafkajs then fails
// every later send with the same error. The publisher must recognise that error however
// kafkajs wraps it, and only that one, to replace its producer (faults/ kills Kafka for real).
import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from "kafkajs";
import { describe, expect, it } from "vitest";
import { producerStateLost } from "../src/kafka/publisher.ts";

const protocolError = (type: string, code: number) =>
  new KafkaJSProtocolError({ type, code, retriable: false, message: type } as unknown as Error);

describe("producer state lost", () => {
  it("is the broker's answer for an unknown sequence, producer id or epoch, bare or wrapped", () => {
    const outOfOrder = protocolError("OUT_OF_ORDER_SEQUENCE_NUMBER", 45);
    expect(producerStateLost(outOfOrder)).toBe(true);
    expect(producerStateLost(protocolError("UNKNOWN_PRODUCER_ID", 59))).toBe(true);
    expect(producerStateLost(protocolError("INVALID_PRODUCER_EPOCH", 47))).toBe(true);
    const gaveUp = new KafkaJSNumberOfRetriesExceeded(outOfOrder, {
      retryCount: 5,
      retryTime: 1000,
      cause: outOfOrder,
    } as never);
    expect(producerStateLost(gaveUp)).toBe(true);
  });

  it("is not any other failure (those are retried as they are)", () => {
    expect(producerStateLost(protocolError("NOT_LEADER_FOR_PARTITION", 6))).toBe(false);
    expect(producerStateLost(new Error("connect ECONNREFUSED 127.0.0.1:9092"))).toBe(false);
    expect(producerStateLost(undefined)).toBe(false);
  });
});
