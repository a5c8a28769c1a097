// The inbox on MongoDB: one document per notification, its id derived from the CloudEvent that
// caused it and the recipient, so a redelivered event inserts nothing new (the duplicate key is
// refused) however often it comes.
import { createHash } from "node:crypto";
import { escapeRegExp } from "@stream-platform/shared";
import { kindsSaying, type Notification } from "@stream-platform/shared/api";
import { insertNew } from "@stream-platform/shared/mongodb";
import type { Collection, Db, Filter } from "mongodb";
import type { InboxQuery, NotificationKind } from "./schemas.ts";

export interface InboxEntry {
  _id: string;
  userId: string;
  kind: NotificationKind;
  eventId: string;
  title: string;
  /** The event's channel, named in the texts (absent when it was not found). */
  channelTitle?: string;
  /** The CloudEvent this notification came from. */
  sourceId: string;
  createdAt: Date;
  readAt: Date | null;
}

export const notificationIdOf = (sourceId: string, userId: string) =>
  `ntf_${createHash("sha256").update(`${sourceId}\u0000${userId}`).digest("hex").slice(0, 24)}`;

/**
 * The entries whose text (notificationText) contains `word`, ignoring case: in the event's or the
 * channel's title, or among its kind's own words. (The user's equality stays at the filter's top
 * level, where FerretDB hands it to PostgreSQL: only that person's inbox is looked through.)
 */
function said(word: string): Filter<InboxEntry> {
  const within = { $regex: escapeRegExp(word), $options: "i" };
  const kinds = kindsSaying(word);
  return {
    $or: [
      { title: within },
      { channelTitle: within },
      ...(kinds.length > 0 ? [{ kind: { $in: kinds } }] : []),
    ],
  };
}

export function toView(entry: InboxEntry): Notification {
  return {
    id: entry._id,
    kind: entry.kind,
    eventId: entry.eventId,
    title: entry.title,
    ...(entry.channelTitle && { channelTitle: entry.channelTitle }),
    createdAt: entry.createdAt.toISOString(),
    read: entry.readAt !== null,
  };
}

export class InboxStore {
  readonly inbox: Collection<InboxEntry>;

  constructor(db: Db) {
    this.inbox = db.collection<InboxEntry>("inbox");
  }

  async ensureIndexes(): Promise<void> {
    await this.inbox.createIndex({ userId: 1, createdAt: -1, _id: -1 });
  }

  /** Inserts the entries not there yet (a previous delivery wrote the others); how many were new. */
  async insertNew(entries: InboxEntry[]): Promise<number> {
    return (await insertNew(this.inbox, entries)).size;
  }

  async get(userId: string, id: string): Promise<InboxEntry | null> {
    return this.inbox.findOne({ _id: id, userId });
  }

  /** A page, newest first (or, with `after`, what came after it, oldest first). */
  async list(
    userId: string,
    query: InboxQuery,
  ): Promise<{ items: InboxEntry[]; nextCursor?: string }> {
    const anchorId = query.cursor ?? query.after;
    const anchor = anchorId ? await this.get(userId, anchorId) : null;
    const filter: Filter<InboxEntry> = { userId };
    if (query.unread) filter.readAt = null;
    const and: Filter<InboxEntry>[] = (query.q ?? "").split(/\s+/).filter(Boolean).map(said);
    if (anchor) {
      const newer = query.after !== undefined;
      and.push({
        $or: [
          { createdAt: newer ? { $gt: anchor.createdAt } : { $lt: anchor.createdAt } },
          { createdAt: anchor.createdAt, _id: newer ? { $gt: anchor._id } : { $lt: anchor._id } },
        ],
      });
    }
    if (and.length > 0) filter.$and = and;
    const direction = query.after ? 1 : -1;
    const items = await this.inbox
      .find(filter)
      .sort({ createdAt: direction, _id: direction })
      .limit(query.limit + 1)
      .toArray();
    const more = items.length > query.limit;
    const page = items.slice(0, query.limit);
    return { items: page, ...(more && !query.after && { nextCursor: page.at(-1)?._id }) };
  }

  /** The newest entries since `since` (the daily digest), read or not. */
  since(userId: string, since: Date, limit: number): Promise<InboxEntry[]> {
    return this.inbox
      .find({ userId, createdAt: { $gte: since } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit)
      .toArray();
  }

  /** How many entries of `kind` each of these people got since `since` (none: absent). */
  async countsSince(
    userIds: string[],
    kind: NotificationKind,
    since: Date,
  ): Promise<Map<string, number>> {
    const entries = await this.inbox
      .find(
        { userId: { $in: userIds }, kind, createdAt: { $gte: since } },
        { projection: { userId: 1 } },
      )
      .toArray();
    const counts = new Map<string, number>();
    for (const { userId } of entries) counts.set(userId, (counts.get(userId) ?? 0) + 1);
    return counts;
  }

  /** A deleted account's inbox (user.deleted). */
  async deleteInbox(userId: string): Promise<void> {
    await this.inbox.deleteMany({ userId });
  }

  unreadCount(userId: string): Promise<number> {
    return this.inbox.countDocuments({ userId, readAt: null });
  }

  /** Marks one entry read; false if the user has no such entry. */
  async markRead(userId: string, id: string, now = new Date()): Promise<boolean> {
    const entry = await this.get(userId, id);
    if (!entry) return false;
    if (entry.readAt === null)
      await this.inbox.updateOne({ _id: id, userId }, { $set: { readAt: now } });
    return true;
  }

  async markAllRead(userId: string, now = new Date()): Promise<number> {
    const result = await this.inbox.updateMany({ userId, readAt: null }, { $set: { readAt: now } });
    return result.modifiedCount;
  }
}
