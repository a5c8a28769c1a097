// What the indexer stores: a search document per video event (the CloudEvent's snapshot plus its
// channel's slug and title) and per channel. Types derive from the event catalog's schemas.
import { catalog, type EventData } from "@stream-platform/shared";

export type VideoEventSnapshot = EventData<"streamplatform.event.updated">;
export type ChannelCreated = EventData<"streamplatform.channel.created">;

export interface ChannelInfo {
  slug: string;
  title: string;
}

export type EventDocument = Omit<
  VideoEventSnapshot,
  "version" | "previousStartsAt" | "ownerId" | "startedAt" | "createdAt" | "updatedAt"
> & {
  channel?: ChannelInfo;
  version: number;
  indexedAt: string;
};

export interface ChannelDocument extends ChannelInfo {
  [field: string]: unknown;
  channelId: string;
  indexedAt: string;
}

/**
 * The searchable state: the snapshot's own fields but these. What a lifecycle CloudEvent adds to
 * them is news, not state (what the time was, previousStartsAt; why it ended, event.ended's
 * reason); the owner and the record's times are there for the events' own list, not for search.
 * The index's strict mapping would refuse a field it does not know, holding up every event after.
 */
const NOT_SEARCHED = new Set([
  "previousStartsAt",
  "ownerId",
  "startedAt",
  "createdAt",
  "updatedAt",
]);
const STATE_FIELDS = new Set(
  Object.keys(catalog["streamplatform.event.updated"].data.shape).filter(
    (field) => !NOT_SEARCHED.has(field),
  ),
);

export function eventDocument(
  snapshot: VideoEventSnapshot,
  channel: ChannelInfo | undefined,
  now = new Date(),
): EventDocument {
  const state = Object.fromEntries(
    Object.entries(snapshot).filter(([field]) => STATE_FIELDS.has(field)),
  ) as Omit<EventDocument, "channel" | "indexedAt">;
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
