// Email notifications on MongoDB: each person's choices (off unless they opt in), and the mail
// outbox. An outgoing mail's id is its notification's (itself derived from the source CloudEvent
// and the person) or the digest's (person and day), so a redelivered CloudEvent or a second run
// of the digest job queues nothing new: the duplicate key is refused.
import { createHash } from "node:crypto";
import { insertNew } from "@stream-platform/shared/mongodb";
import type { Collection, Db } from "mongodb";
import type { NotificationKind } from "./schemas.ts";
import type { InboxEntry } from "./store.ts";

/** The kinds of mail a person may ask for: reminders, "live now", a daily digest. */
export const EMAIL_KINDS = ["reminders", "live", "digest"] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];
export type EmailPreferences = Record<EmailKind, boolean>;

/** Which notifications also go by mail, to whom asked for that kind (the digest is a job's). */
export const emailKindOf = (kind: NotificationKind): EmailKind | undefined =>
  kind === "event.reminder" ? "reminders" : kind === "event.live" ? "live" : undefined;

interface PreferencesDoc extends Partial<EmailPreferences> {
  _id: string;
  updatedAt: Date;
}

export interface OutgoingMail {
  _id: string;
  userId: string;
  kind: EmailKind;
  /** The event (reminders and "live now"), or the day's news (digest). */
  items: Pick<InboxEntry, "kind" | "eventId" | "title" | "channelTitle">[];
  state: "pending" | "sent" | "skipped" | "failed";
  /** Why it was not sent (skipped, failed). */
  reason?: string;
  attempts: number;
  /** Not tried again before this (after a failed try). */
  notBefore: Date;
  createdAt: Date;
  sentAt?: Date;
}

export const digestIdOf = (userId: string, day: string) =>
  `dig_${createHash("sha256").update(`${userId}\u0000${day}`).digest("hex").slice(0, 24)}`;

export class EmailStore {
  readonly preferences: Collection<PreferencesDoc>;
  readonly outbox: Collection<OutgoingMail>;

  constructor(db: Db) {
    this.preferences = db.collection<PreferencesDoc>("email_preferences");
    this.outbox = db.collection<OutgoingMail>("email_outbox");
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.outbox.createIndex({ state: 1, notBefore: 1 }),
      this.outbox.createIndex({ userId: 1, sentAt: -1 }),
      this.preferences.createIndex({ digest: 1 }),
    ]);
  }

  async get(userId: string): Promise<EmailPreferences> {
    const doc = await this.preferences.findOne({ _id: userId });
    return {
      reminders: doc?.reminders === true,
      live: doc?.live === true,
      digest: doc?.digest === true,
    };
  }

  async set(userId: string, changes: Partial<EmailPreferences>): Promise<EmailPreferences> {
    await this.preferences.updateOne(
      { _id: userId },
      { $set: { ...changes, updatedAt: new Date() } },
      { upsert: true },
    );
    return this.get(userId);
  }

  /** Of `userIds`, those who asked for `kind` by mail. */
  async optedIn(userIds: string[], kind: EmailKind): Promise<string[]> {
    if (userIds.length === 0) return [];
    const docs = await this.preferences
      .find({ _id: { $in: userIds }, [kind]: true }, { projection: { _id: 1 } })
      .toArray();
    return docs.map((doc) => doc._id);
  }

  /** Everyone who asked for the digest, a page at a time. */
  digestReaders(): AsyncIterable<PreferencesDoc> {
    return this.preferences.find({ digest: true }, { projection: { _id: 1 } });
  }

  /** Queues the mails not queued before; how many were new. */
  async queue(mails: OutgoingMail[]): Promise<number> {
    return mails.length === 0 ? 0 : (await insertNew(this.outbox, mails)).size;
  }

  /** Mails due, oldest first. */
  due(limit: number, now = new Date()): Promise<OutgoingMail[]> {
    return this.outbox
      .find({ state: "pending", notBefore: { $lte: now } })
      .sort({ createdAt: 1 })
      .limit(limit)
      .toArray();
  }

  mail(id: string): Promise<OutgoingMail | null> {
    return this.outbox.findOne({ _id: id });
  }

  /** Mails sent to the person since `since` (the hourly limit; digests not counted). */
  sentSince(userId: string, since: Date): Promise<number> {
    return this.outbox.countDocuments({
      userId,
      state: "sent",
      kind: { $ne: "digest" },
      sentAt: { $gte: since },
    });
  }

  async settle(id: string, update: Partial<OutgoingMail>): Promise<void> {
    await this.outbox.updateOne({ _id: id }, { $set: update });
  }

  /** A deleted account's choices and queued mail (user.deleted). */
  async forget(userId: string): Promise<void> {
    await Promise.all([
      this.preferences.deleteOne({ _id: userId }),
      this.outbox.deleteMany({ userId }),
    ]);
  }
}
