// Rotated stream keys, heard from the channels topic: every instance consumes it (a consumer
// group of its own, as the SSE gateways do), and the one that holds the channel's live publish
// cuts it (Ingest.keyRotated). A rotation while this instance was down cut nothing here, and
// needed not: no publish of this instance outlives its process.
import { TOPICS } from "@stream-platform/shared";
import type { Consumer } from "kafkajs";
import { consumeEverything } from "./sse.ts";

export interface KeyRotationsOptions {
  /** Cuts the channel's live publish if it uses a rotated key (Ingest.keyRotated). */
  onRotated(channelId: string): Promise<void>;
  log(entry: Record<string, unknown>): void;
}

export class KeyRotations {
  private consumer?: Consumer;

  constructor(private readonly options: KeyRotationsOptions) {}

  async start(): Promise<void> {
    this.consumer = await consumeEverything("stream-keys", TOPICS.channels, (events) => {
      for (const event of events) {
        if (event.type === "streamplatform.channel.key-rotated") this.cut(event.data.channelId);
      }
    });
  }

  private cut(channelId: string): void {
    void this.options.onRotated(channelId).catch((error: unknown) =>
      this.options.log({
        level: "error",
        msg: "cutting the publish of a rotated key failed",
        channel: channelId,
        error: String(error),
      }),
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
