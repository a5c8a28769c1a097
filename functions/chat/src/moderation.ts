// A channel's chat moderation: its rules (slow mode, followers-only, links, blocked words), its
// moderators (named by the owner), bans and timeouts, and the log of every action (the owner's
// to read). Moderators and the owner change rules and bans; only the owner names moderators.
import {
  forbidden,
  type Handler,
  notFound,
  parseInput,
  requireSession,
  tokenOf,
  verifySession,
} from "@stream-platform/shared";
import { banUntil } from "./domain.ts";
import { banBody, channelId, logQuery, settingsBody, userId as userIdSchema } from "./schemas.ts";
import { channelOwners } from "./service.ts";
import type { ChatStore } from "./store.ts";

export function moderationHandlers(store: ChatStore) {
  async function channelOf(id: string | undefined) {
    const channel = parseInput(channelId, id, "id");
    const ownerId = await channelOwners.lookup(channel);
    if (!ownerId) throw notFound(`no channel ${channel}`);
    return { channelId: channel, ownerId };
  }

  /** The signed-in owner or a moderator of the channel, or 401/403/404. */
  async function moderator(req: Parameters<Handler>[0]["req"], id: string | undefined) {
    const { userId } = await requireSession(req);
    const channel = await channelOf(id);
    if (userId !== channel.ownerId && !(await store.isModerator(channel.channelId, userId)))
      throw forbidden("only the channel's owner and its moderators moderate its chat");
    return { ...channel, userId };
  }

  async function owner(req: Parameters<Handler>[0]["req"], id: string | undefined) {
    const { userId } = await requireSession(req);
    const channel = await channelOf(id);
    if (userId !== channel.ownerId) throw forbidden("only the channel's owner may do this");
    return { ...channel, userId };
  }

  /** Anyone: the rules a poster meets; moderators also see the blocked words. */
  const settings: Handler = async ({ req, params }) => {
    const channel = await channelOf(params.id);
    const token = tokenOf(req);
    const viewer = token ? await verifySession(token).catch(() => undefined) : undefined;
    const canModerate =
      viewer !== undefined &&
      (viewer.userId === channel.ownerId ||
        (await store.isModerator(channel.channelId, viewer.userId)));
    const { blockedWords, ...rules } = await store.rules(channel.channelId);
    return {
      status: 200,
      body: { ...rules, canModerate, ...(canModerate && { blockedWords }) },
    };
  };

  const changeSettings: Handler = async ({ req, params }) => {
    const { channelId: id, userId } = await moderator(req, params.id);
    const change = parseInput(settingsBody, req.body ?? {});
    const rules = await store.updateRules(id, userId, change);
    return { status: 200, body: { ...rules, canModerate: true } };
  };

  const moderatorsOf: Handler = async ({ req, params }) => {
    const { channelId: id } = await owner(req, params.id);
    return { status: 200, body: { items: await store.moderators(id) } };
  };

  const addModerator: Handler = async ({ req, params }) => {
    const { channelId: id, userId } = await owner(req, params.id);
    const target = parseInput(userIdSchema, params.userId, "userId");
    const added = await store.setModerator(id, target, userId, true);
    return { status: added ? 201 : 200, body: { userId: target, moderator: true } };
  };

  const removeModerator: Handler = async ({ req, params }) => {
    const { channelId: id, userId } = await owner(req, params.id);
    const target = parseInput(userIdSchema, params.userId, "userId");
    await store.setModerator(id, target, userId, false);
    return { status: 204 };
  };

  const bansOf: Handler = async ({ req, params }) => {
    const { channelId: id } = await moderator(req, params.id);
    return { status: 200, body: { items: await store.bans(id) } };
  };

  /** A ban (until lifted) or, with `minutes`, a timeout. */
  const ban: Handler = async ({ req, params }) => {
    const channel = await moderator(req, params.id);
    const target = parseInput(userIdSchema, params.userId, "userId");
    const input = parseInput(banBody, req.body ?? {});
    if (target === channel.ownerId) throw forbidden("the channel's owner cannot be banned");
    if (target === channel.userId) throw forbidden("you cannot ban yourself");
    // A moderator answers to the owner only.
    if (channel.userId !== channel.ownerId && (await store.isModerator(channel.channelId, target)))
      throw forbidden("only the channel's owner bans a moderator");
    const until = banUntil(new Date(), input.minutes);
    await store.setBan(channel.channelId, target, channel.userId, {
      reason: input.reason,
      ...(until && { until }),
    });
    return {
      status: 200,
      body: { userId: target, reason: input.reason, ...(until && { until: until.toISOString() }) },
    };
  };

  const liftBan: Handler = async ({ req, params }) => {
    const channel = await moderator(req, params.id);
    const target = parseInput(userIdSchema, params.userId, "userId");
    await store.liftBan(channel.channelId, target, channel.userId);
    return { status: 204 };
  };

  const log: Handler = async ({ req, params, query }) => {
    const { channelId: id } = await owner(req, params.id);
    const { limit } = parseInput(logQuery, Object.fromEntries(query));
    return { status: 200, body: { items: await store.moderationLog(id, limit) } };
  };

  return {
    settings,
    changeSettings,
    moderatorsOf,
    addModerator,
    removeModerator,
    bansOf,
    ban,
    liftBan,
    log,
  };
}
