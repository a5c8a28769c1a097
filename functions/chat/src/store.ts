// The chat's persistence on PostgreSQL (its own schema): messages, the rules and moderators of
// each channel, bans, slow-mode slots, the moderation log, the followers and stream starts
// learnt from Kafka, and the outbox (a message and its CloudEvent commit together).
import { randomBytes } from "node:crypto";
import type { PlatformEvent } from "@stream-platform/shared";
import type { ChatMessage } from "@stream-platform/shared/api";
import {
  enqueue,
  inTransaction,
  outboxValues,
  type Pool,
  WRITER_CLAIM,
  WRITER_CLAIMED_OUTBOX_ROW,
} from "@stream-platform/shared/postgres";
import { type Ban, DEFAULT_RULES, offsetSeconds, type RoomRules } from "./domain.ts";
import type { HistoryQuery, SettingsBody } from "./schemas.ts";

/** A message as the API shows it (shared with the gateway and the web app). */
export type Message = ChatMessage;

interface MessageRow {
  seq: string;
  id: string;
  event_id: string;
  channel_id: string;
  user_id: string;
  author: string;
  body: string;
  sent_at: Date;
  deleted_at: Date | null;
  started_at: Date | null;
}

const toMessage = (row: MessageRow): Message => {
  const offset = offsetSeconds(row.sent_at, row.started_at ?? undefined);
  return {
    id: row.id,
    eventId: row.event_id,
    channelId: row.channel_id,
    userId: row.user_id,
    author: row.author,
    text: row.body,
    sentAt: row.sent_at.toISOString(),
    ...(offset !== undefined && { offsetSeconds: offset }),
  };
};

export const newMessageId = () => `msg_${randomBytes(12).toString("hex")}`;

const SELECT_MESSAGE = `select m.*, s.started_at from messages m left join streams s on s.event_id = m.event_id`;

export interface LogEntry {
  actorId: string;
  action: string;
  targetUserId?: string;
  messageId?: string;
  detail?: Record<string, unknown>;
}

export class ChatStore {
  constructor(private readonly pool: Pool) {}

  async rules(channelId: string): Promise<RoomRules> {
    const { rows } = await this.pool.query(
      "select slow_mode_seconds, followers_only, links_allowed, blocked_words from settings where channel_id = $1",
      [channelId],
    );
    const row = rows[0];
    if (!row) return DEFAULT_RULES;
    return {
      slowModeSeconds: row.slow_mode_seconds,
      followersOnly: row.followers_only,
      linksAllowed: row.links_allowed,
      blockedWords: row.blocked_words,
    };
  }

  /**
   * Everything a post is checked against, in one round trip: the channel's rules, whether the
   * person moderates it, follows it or is banned from it, their last post in the room, and when
   * the room's stream started.
   */
  async postContext(channelId: string, eventId: string, userId: string) {
    const { rows } = await this.pool.query<{
      slow_mode_seconds: number | null;
      followers_only: boolean | null;
      links_allowed: boolean | null;
      blocked_words: string[] | null;
      moderator: boolean;
      following: boolean | null;
      ban_reason: string | null;
      ban_until: Date | null;
      last_post_at: Date | null;
      started_at: Date | null;
    }>({
      // Named: each connection plans it once (every post asks it).
      name: "chat-post-context",
      text: `select s.slow_mode_seconds, s.followers_only, s.links_allowed, s.blocked_words,
         exists (select 1 from moderators where channel_id = $1 and user_id = $3) as moderator,
         (select following from followers where channel_id = $1 and user_id = $3) as following,
         b.reason as ban_reason, b.until as ban_until,
         (select at from last_posts where event_id = $2 and user_id = $3) as last_post_at,
         (select started_at from streams where event_id = $2) as started_at
       from (select 1) one
       left join settings s on s.channel_id = $1
       left join bans b on b.channel_id = $1 and b.user_id = $3`,
      values: [channelId, eventId, userId],
    });
    const row = rows[0];
    if (!row) throw new Error("postContext: no row");
    const rules: RoomRules =
      row.slow_mode_seconds === null
        ? DEFAULT_RULES
        : {
            slowModeSeconds: row.slow_mode_seconds,
            followersOnly: row.followers_only ?? false,
            linksAllowed: row.links_allowed ?? false,
            blockedWords: row.blocked_words ?? [],
          };
    return {
      rules,
      moderator: row.moderator,
      follows: row.following ?? false,
      ban:
        row.ban_reason === null
          ? undefined
          : { reason: row.ban_reason, ...(row.ban_until && { until: row.ban_until }) },
      lastPostAt: row.last_post_at ?? undefined,
      startedAt: row.started_at ?? undefined,
    };
  }

  async moderators(channelId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      "select user_id from moderators where channel_id = $1 order by added_at",
      [channelId],
    );
    return rows.map((r) => r.user_id);
  }

  async isModerator(channelId: string, userId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "select 1 from moderators where channel_id = $1 and user_id = $2",
      [channelId, userId],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * Stores a message with its CloudEvent, claiming the poster's slow-mode slot in the same
   * statement: of two posts at once, the second finds the slot taken and gets null.
   */
  async post(
    message: Message,
    slowModeSeconds: number,
    event: PlatformEvent,
  ): Promise<Message | null> {
    // One statement, so one round trip and atomic by itself: the slow-mode slot, the message
    // if the slot was had, its CloudEvent in the outbox (shared/src/postgres/outbox.ts) if the
    // message was written, claimed by this writer, which publishes it (`publishClaimed`).
    // Every post of a busy room pays this: named, so each connection plans it once.
    const { rowCount } = await this.pool.query({
      name: "chat-post",
      text: `with slot as (
         insert into last_posts (event_id, user_id, at) values ($1, $2, $3)
         on conflict (event_id, user_id) do update set at = greatest(last_posts.at, excluded.at)
         where $4 = 0 or last_posts.at <= excluded.at - make_interval(secs => $4)
         returning at),
       posted as (
         insert into messages (id, event_id, channel_id, user_id, author, body, sent_at)
         select $5, $1, $6, $2, $7, $8, $3 where exists (select 1 from slot)
         returning id)
       insert into ${WRITER_CLAIMED_OUTBOX_ROW} select $9, $10, ${WRITER_CLAIM}
         where exists (select 1 from posted)`,
      values: [
        message.eventId,
        message.userId,
        message.sentAt,
        slowModeSeconds,
        message.id,
        message.channelId,
        message.author,
        message.text,
        ...outboxValues(event),
      ],
    });
    return rowCount === 1 ? message : null;
  }

  async message(id: string): Promise<(Message & { deleted: boolean }) | undefined> {
    const { rows } = await this.pool.query<MessageRow>(`${SELECT_MESSAGE} where m.id = $1`, [id]);
    const row = rows[0];
    return row && { ...toMessage(row), deleted: row.deleted_at !== null };
  }

  /**
   * A room's messages, oldest first: the last `limit` (joining), what came after a message
   * (reconnecting; with the ids deleted since it was sent), or from an offset (replay).
   */
  async history(
    eventId: string,
    query: HistoryQuery,
  ): Promise<{ items: Message[]; deleted?: string[] }> {
    if (query.after) {
      const anchor = await this.pool.query<{ seq: string; sent_at: Date }>(
        "select seq, sent_at from messages where id = $1 and event_id = $2",
        [query.after, eventId],
      );
      const found = anchor.rows[0];
      // An id this room never had: start as a newcomer does.
      if (found) {
        const [items, deleted] = await Promise.all([
          this.pool.query<MessageRow>(
            `${SELECT_MESSAGE} where m.event_id = $1 and m.seq > $2 and m.deleted_at is null order by m.seq limit $3`,
            [eventId, found.seq, query.limit],
          ),
          this.pool.query<{ id: string }>(
            "select id from messages where event_id = $1 and seq <= $2 and deleted_at >= $3",
            [eventId, found.seq, found.sent_at],
          ),
        ]);
        return { items: items.rows.map(toMessage), deleted: deleted.rows.map((r) => r.id) };
      }
    }
    if (query.fromOffset !== undefined) {
      const { rows } = await this.pool.query<MessageRow>(
        `${SELECT_MESSAGE} where m.event_id = $1 and m.deleted_at is null
           and m.sent_at >= s.started_at + make_interval(secs => $2)
         order by m.seq limit $3`,
        [eventId, query.fromOffset, query.limit],
      );
      return { items: rows.map(toMessage) };
    }
    const { rows } = await this.pool.query<MessageRow>(
      `select * from (${SELECT_MESSAGE} where m.event_id = $1 and m.deleted_at is null
         order by m.seq desc limit $2) last order by seq`,
      [eventId, query.limit],
    );
    return { items: rows.map(toMessage) };
  }

  /** Marks a message deleted with its CloudEvent and a log entry; false if it already was. */
  async deleteMessage(
    message: Message,
    by: string,
    at: Date,
    event: PlatformEvent,
  ): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(
        "update messages set deleted_at = $2, deleted_by = $3 where id = $1 and deleted_at is null",
        [message.id, at, by],
      );
      if (rowCount === 0) return false;
      await this.log(client, message.channelId, {
        actorId: by,
        action: "message.deleted",
        targetUserId: message.userId,
        messageId: message.id,
        detail: { text: message.text },
      });
      await enqueue(client, [event]);
      return true;
    });
  }

  async updateRules(channelId: string, by: string, change: SettingsBody): Promise<RoomRules> {
    return inTransaction(this.pool, async (client) => {
      const current = await this.rules(channelId);
      const next: RoomRules = { ...current, ...change };
      await client.query(
        `insert into settings (channel_id, slow_mode_seconds, followers_only, links_allowed, blocked_words)
         values ($1, $2, $3, $4, $5)
         on conflict (channel_id) do update set slow_mode_seconds = $2, followers_only = $3,
           links_allowed = $4, blocked_words = $5`,
        [channelId, next.slowModeSeconds, next.followersOnly, next.linksAllowed, next.blockedWords],
      );
      await this.log(client, channelId, {
        actorId: by,
        action: "settings.changed",
        detail: change,
      });
      return next;
    });
  }

  async setModerator(channelId: string, userId: string, by: string, on: boolean): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rowCount } = on
        ? await client.query(
            "insert into moderators (channel_id, user_id, added_by) values ($1, $2, $3) on conflict do nothing",
            [channelId, userId, by],
          )
        : await client.query("delete from moderators where channel_id = $1 and user_id = $2", [
            channelId,
            userId,
          ]);
      const changed = (rowCount ?? 0) > 0;
      if (changed)
        await this.log(client, channelId, {
          actorId: by,
          action: on ? "moderator.added" : "moderator.removed",
          targetUserId: userId,
        });
      return changed;
    });
  }

  async setBan(channelId: string, userId: string, by: string, ban: Ban): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `insert into bans (channel_id, user_id, reason, until, banned_by) values ($1, $2, $3, $4, $5)
         on conflict (channel_id, user_id) do update set reason = $3, until = $4, banned_by = $5, banned_at = now()`,
        [channelId, userId, ban.reason, ban.until ?? null, by],
      );
      await this.log(client, channelId, {
        actorId: by,
        action: ban.until ? "user.timed-out" : "user.banned",
        targetUserId: userId,
        detail: { reason: ban.reason, ...(ban.until && { until: ban.until.toISOString() }) },
      });
    });
  }

  async liftBan(channelId: string, userId: string, by: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(
        "delete from bans where channel_id = $1 and user_id = $2",
        [channelId, userId],
      );
      if ((rowCount ?? 0) === 0) return false;
      await this.log(client, channelId, {
        actorId: by,
        action: "ban.lifted",
        targetUserId: userId,
      });
      return true;
    });
  }

  async bans(channelId: string, now = new Date()) {
    const { rows } = await this.pool.query<{
      user_id: string;
      reason: string;
      until: Date | null;
      banned_by: string;
      banned_at: Date;
    }>(
      "select * from bans where channel_id = $1 and (until is null or until > $2) order by banned_at desc",
      [channelId, now],
    );
    return rows.map((r) => ({
      userId: r.user_id,
      reason: r.reason,
      ...(r.until && { until: r.until.toISOString() }),
      bannedBy: r.banned_by,
      bannedAt: r.banned_at.toISOString(),
    }));
  }

  async moderationLog(channelId: string, limit: number) {
    const { rows } = await this.pool.query<{
      actor_id: string;
      action: string;
      target_user_id: string | null;
      message_id: string | null;
      detail: Record<string, unknown>;
      at: Date;
    }>("select * from moderation_log where channel_id = $1 order by seq desc limit $2", [
      channelId,
      limit,
    ]);
    return rows.map((r) => ({
      actorId: r.actor_id,
      action: r.action,
      ...(r.target_user_id && { targetUserId: r.target_user_id }),
      ...(r.message_id && { messageId: r.message_id }),
      detail: r.detail,
      at: r.at.toISOString(),
    }));
  }

  private async log(
    client: { query: Pool["query"] },
    channelId: string,
    entry: LogEntry,
  ): Promise<void> {
    await client.query(
      "insert into moderation_log (channel_id, actor_id, action, target_user_id, message_id, detail) values ($1, $2, $3, $4, $5, $6)",
      [
        channelId,
        entry.actorId,
        entry.action,
        entry.targetUserId ?? null,
        entry.messageId ?? null,
        JSON.stringify(entry.detail ?? {}),
      ],
    );
  }

  // What the sink learns from Kafka. Both are idempotent and order-safe on redelivery.

  async streamStarted(eventId: string, startedAt: Date): Promise<void> {
    // The first start counts: a publisher that reconnects appends to the same recording.
    await this.pool.query(
      "insert into streams (event_id, started_at) values ($1, $2) on conflict (event_id) do nothing",
      [eventId, startedAt],
    );
  }

  /**
   * A deleted account (user.deleted): its messages everywhere, its channels' rooms and rules,
   * and every record naming it (follows, moderator seats, bans, slow-mode marks, log lines
   * about it) go. Idempotent: a redelivery finds nothing left.
   */
  async forgetUser(userId: string, channelIds: string[]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const byUser = "user_id = $1 or channel_id = any($2::text[])";
      for (const table of ["messages", "followers", "moderators", "bans"])
        await client.query(`delete from ${table} where ${byUser}`, [userId, channelIds]);
      await client.query("delete from settings where channel_id = any($1::text[])", [channelIds]);
      await client.query("delete from last_posts where user_id = $1", [userId]);
      await client.query(
        "delete from moderation_log where target_user_id = $1 or channel_id = any($2::text[])",
        [userId, channelIds],
      );
    });
  }

  async following(channelId: string, userId: string, following: boolean, at: Date): Promise<void> {
    await this.pool.query(
      `insert into followers (channel_id, user_id, following, changed_at) values ($1, $2, $3, $4)
       on conflict (channel_id, user_id) do update set following = $3, changed_at = $4
       where followers.changed_at <= $4`,
      [channelId, userId, following, at],
    );
  }
}
