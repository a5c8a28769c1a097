// The indexing sink (KafkaSource on the events and channels topics): every event.* snapshot
// becomes its event's search document, channel.created its channel's. Idempotent and order-safe
// through external versioning (bulk.ts): a redelivered or late snapshot is refused by the index.
import type { PlatformEvent } from "@stream-platform/shared";
import type { Aliases } from "./aliases.ts";
import type { ChannelDirectory } from "./channels.ts";
import {
  type ChannelCreated,
  channelDocument,
  eventDocument,
  type VideoEventSnapshot,
} from "./documents.ts";
import type { BulkWriter } from "./writer.ts";

/** The event types that carry a new state of a video event (reminders change nothing). */
const SNAPSHOTS = new Set([
  "streamplatform.event.created",
  "streamplatform.event.updated",
  "streamplatform.event.cancelled",
  "streamplatform.event.live",
  "streamplatform.event.ended",
]);

export class Indexer {
  constructor(
    private readonly writer: BulkWriter,
    private readonly aliases: Aliases,
    private readonly channels: ChannelDirectory,
  ) {}

  /** Indexes what the event says; resolves once it is in the index (or was already). */
  async apply(event: PlatformEvent): Promise<void> {
    if (SNAPSHOTS.has(event.type)) {
      const snapshot = event.data as VideoEventSnapshot;
      const channel = await this.channels.lookup(snapshot.channelId);
      await this.writer.write({
        index: this.aliases.events,
        id: snapshot.eventId,
        version: snapshot.version,
        document: eventDocument(snapshot, channel),
      });
      return;
    }
    if (event.type === "streamplatform.channel.created") {
      const data = event.data as ChannelCreated;
      this.channels.remember(data.channelId, { slug: data.slug, title: data.title });
      await this.writer.write({
        index: this.aliases.channels,
        id: data.channelId,
        // Channels are created once and never change: any redelivery is stale.
        version: 1,
        document: channelDocument(data),
      });
    }
    // Anything else on these topics is not search's business.
  }

  /** A batch, written side by side so its documents share bulk requests. */
  async applyAll(events: PlatformEvent[]): Promise<void> {
    await Promise.all(events.map((event) => this.apply(event)));
  }
}
