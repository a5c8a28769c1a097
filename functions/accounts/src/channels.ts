// Channels and their stream keys: anyone may look a channel up; only its owner sees or rotates
// its key.
import {
  conflict,
  forbidden,
  type Handler,
  notFound,
  parseInput,
  requireSession,
} from "@stream-platform/shared";
import { createChannelBody, uuid } from "./schemas.ts";
import { type Channel, type Store, uniqueViolation } from "./store.ts";
import { decryptStreamKey } from "./stream-keys.ts";

export function channelHandlers(store: Store) {
  async function ownedChannel(userId: string, id: string): Promise<Channel> {
    const channel = await store.channel(parseInput(uuid, id, "id"));
    if (!channel) throw notFound(`no channel ${id}`);
    if (channel.ownerId !== userId) throw forbidden("only the channel's owner may do this");
    return channel;
  }

  const create: Handler = async ({ req }) => {
    const { userId } = await requireSession(req);
    const input = parseInput(createChannelBody, req.body);
    try {
      const { channel, streamKey } = await store.createChannel(userId, input);
      return {
        status: 201,
        body: { ...channel, streamKey },
        headers: { location: `/api/channels/${channel.id}` },
      };
    } catch (error) {
      if (uniqueViolation(error) === "channels_slug")
        throw conflict(`the slug "${input.slug}" is taken`, "slug");
      throw error;
    }
  };

  const mine: Handler = async ({ req }) => {
    const { userId } = await requireSession(req);
    return { status: 200, body: { items: await store.channelsOf(userId) } };
  };

  const get: Handler = async ({ params }) => {
    const channel = await store.channel(params.idOrSlug ?? "");
    if (!channel) throw notFound(`no channel ${params.idOrSlug}`);
    return { status: 200, body: channel };
  };

  const streamKey: Handler = async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const channel = await ownedChannel(userId, params.id ?? "");
    const encrypted = await store.encryptedStreamKey(channel.id);
    return { status: 200, body: { streamKey: encrypted ? decryptStreamKey(encrypted) : null } };
  };

  const rotateStreamKey: Handler = async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const channel = await ownedChannel(userId, params.id ?? "");
    return { status: 200, body: { streamKey: await store.rotateStreamKey(channel.id) } };
  };

  const subscriberCount: Handler = async ({ params }) => {
    const channel = await store.channel(parseInput(uuid, params.id, "id"));
    if (!channel) throw notFound(`no channel ${params.id}`);
    return {
      status: 200,
      body: { channelId: channel.id, count: await store.subscriberCount(channel.id) },
    };
  };

  return { create, mine, get, streamKey, rotateStreamKey, subscriberCount };
}
