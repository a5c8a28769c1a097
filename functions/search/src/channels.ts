// The slug and title of a channel, for the event documents: asked once per channel over gRPC
// (channels are never renamed). A channel that is unavailable fails the delivery, so it is
// retried rather than indexed without.
import { GrpcDirectory } from "@stream-platform/shared";
import type { ChannelsClient } from "@stream-platform/shared/grpc";
import type { ChannelInfo } from "./documents.ts";

export class ChannelDirectory extends GrpcDirectory<ChannelInfo> {
  constructor(client: () => Promise<Pick<ChannelsClient, "getChannel">>) {
    super(async (channelId) => {
      const channel = await (await client()).getChannel(channelId);
      return { slug: channel.slug, title: channel.title };
    });
  }
}
