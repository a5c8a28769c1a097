// The slug and title of a channel, for the event documents: asked once per channel over gRPC
// (channels are never renamed) and kept in a bounded cache.
import { BoundedMap } from "@stream-platform/shared";
import { type ChannelsClient, GrpcStatus, isGrpcStatus } from "@stream-platform/shared/grpc";
import type { ChannelInfo } from "./documents.ts";

const MAX_ENTRIES = 10_000;

export class ChannelDirectory {
  private readonly cache = new BoundedMap<string, ChannelInfo>(MAX_ENTRIES);

  constructor(private readonly client: () => Pick<ChannelsClient, "getChannel">) {}

  remember(channelId: string, info: ChannelInfo): void {
    this.cache.set(channelId, info);
  }

  /** The channel's slug and title; undefined for a channel that does not exist (any more). */
  async lookup(channelId: string): Promise<ChannelInfo | undefined> {
    const cached = this.cache.get(channelId);
    if (cached) return cached;
    try {
      const channel = await this.client().getChannel(channelId);
      const info = { slug: channel.slug, title: channel.title };
      this.remember(channelId, info);
      return info;
    } catch (error) {
      if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) return undefined;
      // Unavailable or slow: fail the delivery, so it is retried rather than indexed without.
      throw error;
    }
  }
}
