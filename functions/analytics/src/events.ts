// Whose event it is: the channel figures are attributed to and the owner who may see them,
// asked once per event over gRPC (an event never changes channel) and kept in a bounded cache.
import { BoundedMap } from "@stream-platform/shared";
import { type EventsClient, GrpcStatus, isGrpcStatus } from "@stream-platform/shared/grpc";

export interface EventOwner {
  channelId: string;
  ownerId: string;
}

export class EventDirectory {
  private readonly cache = new BoundedMap<string, EventOwner>(50_000);

  constructor(private readonly client: () => Pick<EventsClient, "getEvent">) {}

  /** The event's channel and owner; undefined for an event that does not exist. */
  async lookup(eventId: string): Promise<EventOwner | undefined> {
    const cached = this.cache.get(eventId);
    if (cached) return cached;
    try {
      const event = await this.client().getEvent(eventId);
      const owner = { channelId: event.channelId, ownerId: event.ownerId };
      this.cache.set(eventId, owner);
      return owner;
    } catch (error) {
      if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) return undefined;
      throw error; // unavailable: the caller fails, and is retried
    }
  }
}
