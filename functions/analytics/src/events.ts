// Whose event it is: the channel figures are attributed to and the owner who may see them,
// asked once per event over gRPC (an event never changes channel).
import { GrpcDirectory } from "@stream-platform/shared";
import type { EventsClient } from "@stream-platform/shared/grpc";

export interface EventOwner {
  channelId: string;
  ownerId: string;
}

export class EventDirectory extends GrpcDirectory<EventOwner> {
  constructor(client: () => Promise<Pick<EventsClient, "getEvent">>) {
    super(async (eventId) => {
      const event = await (await client()).getEvent(eventId);
      return { channelId: event.channelId, ownerId: event.ownerId };
    }, 50_000);
  }
}
