// What the indexer stores: a search document per video event (the CloudEvent's snapshot plus its
// channel's slug and title) and per channel. Types derive from the event catalog's schemas.
import type { EventData } from "@stream-platform/shared";

export type VideoEventSnapshot = EventData<"streamplatform.event.updated">;
export type ChannelCreated = EventData<"streamplatform.channel.created">;

export interface ChannelInfo {
  slug: string;
  title: string;
}

export type EventDocument = Omit<VideoEventSnapshot, "version" | "previousStartsAt"> & {
  channel?: ChannelInfo;
  version: number;
  indexedAt: string;
};

export interface ChannelDocument extends ChannelInfo {
  [field: string]: unknown;
  channelId: string;
  indexedAt: string;
}

export function eventDocument(
  snapshot: VideoEventSnapshot,
  channel: ChannelInfo | undefined,
  now = new Date(),
): EventDocument {
  // What changed is news for notifications, not part of the searchable state.
  const { previousStartsAt: _, ...state } = snapshot;
  return { ...state, ...(channel && { channel }), indexedAt: now.toISOString() };
}

export function channelDocument(data: ChannelCreated, now = new Date()): ChannelDocument {
  return {
    channelId: data.channelId,
    slug: data.slug,
    title: data.title,
    indexedAt: now.toISOString(),
  };
}
