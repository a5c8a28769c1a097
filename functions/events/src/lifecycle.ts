// The stream lifecycle (KafkaSource on the streams topic): stream.started makes the channel's
// current event live (or creates an ad-hoc live event), stream.ended and recording.ready end it
// (the latter with its VOD path). Each stream CloudEvent is applied at most once: its id is
// recorded in the event document in the same update as the change.
import type { PlatformEvent } from "@stream-platform/shared";
import { EventRefused } from "@stream-platform/shared/hosting";
import type { EventDoc, EventStore } from "./store.ts";

export interface ChannelOwners {
  /** The channel's owner; undefined when there is no such channel (deleted with its account). */
  ownerOf(channelId: string): Promise<string | undefined>;
}

async function target(
  store: EventStore,
  channelId: string,
  eventId?: string,
): Promise<EventDoc | null> {
  if (eventId) {
    const doc = await store.get(eventId);
    return doc && doc.channelId === channelId ? doc : null;
  }
  return store.current(channelId);
}

export async function applyStreamEvent(
  store: EventStore,
  channels: ChannelOwners,
  event: PlatformEvent,
): Promise<void> {
  switch (event.type) {
    case "streamplatform.stream.started": {
      const data = event.data as PlatformEvent<"streamplatform.stream.started">["data"];
      const doc = await target(store, data.channelId, data.eventId);
      if (!doc) {
        const owner = await channels.ownerOf(data.channelId);
        if (owner === undefined)
          throw new EventRefused(`no channel ${data.channelId}: nothing can go live on it`);
        await store.createAdHoc(event.id, data.channelId, owner, new Date(data.startedAt));
        return;
      }
      await store.change(doc._id, (current) =>
        current.applied.includes(event.id) || current.status !== "scheduled"
          ? null
          : { set: { status: "live" }, type: "streamplatform.event.live", applied: event.id },
      );
      return;
    }
    case "streamplatform.stream.ended": {
      const data = event.data as PlatformEvent<"streamplatform.stream.ended">["data"];
      const doc = data.eventId
        ? await target(store, data.channelId, data.eventId)
        : await store.current(data.channelId);
      if (!doc) return;
      await store.change(doc._id, (current) =>
        current.applied.includes(event.id) || current.status !== "live"
          ? null
          : {
              set: { status: "ended", endsAt: new Date(data.endedAt) },
              type: "streamplatform.event.ended",
              applied: event.id,
            },
      );
      return;
    }
    case "streamplatform.recording.ready": {
      const data = event.data as PlatformEvent<"streamplatform.recording.ready">["data"];
      const doc = await target(store, data.channelId, data.eventId);
      if (!doc) return;
      await store.change(doc._id, (current) => {
        if (current.applied.includes(event.id)) return null;
        if (current.status === "live") {
          return {
            set: { status: "ended", vodPath: data.vodPath, endsAt: new Date() },
            type: "streamplatform.event.ended",
            applied: event.id,
          };
        }
        if (current.status === "ended") {
          return {
            set: { vodPath: data.vodPath },
            type: "streamplatform.event.updated",
            applied: event.id,
          };
        }
        return null;
      });
      return;
    }
    default:
      // Other stream-topic events are not the events function's business.
      return;
  }
}
