// The indexing sink's work (its CloudEvent table is in index.ts): every event.* snapshot becomes
// its event's search document, channel.created its channel's. Idempotent and order-safe through
// external versioning (bulk.ts): a redelivered or late snapshot is refused by the index.
import type { Aliases } from "./aliases.ts";
import type { ChannelDirectory } from "./channels.ts";
import {
  type ChannelCreated,
  channelDocument,
  eventDocument,
  type VideoEventSnapshot,
} from "./documents.ts";
import type { BulkWriter } from "./writer.ts";

export class Indexer {
  constructor(
    private readonly writer: BulkWriter,
    private readonly aliases: Aliases,
    private readonly channels: ChannelDirectory,
  ) {}

  /** Indexes a video event's new state; resolves once it is in the index (or was already). */
  async indexEvent(snapshot: VideoEventSnapshot): Promise<void> {
    const channel = await this.channels.lookup(snapshot.channelId);
    await this.writer.write({
      index: this.aliases.events,
      id: snapshot.eventId,
      version: snapshot.version,
      document: eventDocument(snapshot, channel),
    });
  }

  /** Removes a deleted event's document; a late older snapshot cannot bring it back. */
  async removeEvent(snapshot: VideoEventSnapshot): Promise<void> {
    await this.writer.write({
      index: this.aliases.events,
      id: snapshot.eventId,
      version: snapshot.version,
    });
  }

  /** Removes the channels of a deleted account (version 2: above the one they were created at). */
  async removeChannels(channelIds: string[]): Promise<void> {
    await Promise.all(
      channelIds.map((id) => this.writer.write({ index: this.aliases.channels, id, version: 2 })),
    );
  }

  async indexChannel(data: ChannelCreated): Promise<void> {
    this.channels.remember(data.channelId, { slug: data.slug, title: data.title });
    await this.writer.write({
      index: this.aliases.channels,
      id: data.channelId,
      // Channels are created once and never change: any redelivery is stale.
      version: 1,
      document: channelDocument(data),
    });
  }
}
