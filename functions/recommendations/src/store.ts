// What the recommendations function keeps (MongoDB, its own database), learnt from CloudEvents:
//   items    one per event, its snapshot as the ranking reads it (newest version wins)
//   views    one per (person, event): seconds watched and when, from history.updated (the
//            latest wins; a clearing's date keeps an older update from coming back)
//   follows  one per (person, channel): followed or not, as of the latest subscription event
//   people   a person's clearing date (all their history) or deletion (nothing of them is kept)
// Every write is idempotent and order-proof, so a redelivered or late event changes nothing.
// `changedAt` lets the API's model take in only what changed since it last looked.
import { isDuplicateKey } from "@stream-platform/shared/mongodb";
import type { Collection, Db } from "mongodb";
import type { ItemInput, ViewInput } from "./model.ts";

export interface ItemDoc extends Omit<ItemInput, "id"> {
  _id: string;
  version: number;
  changedAt: Date;
}

export interface ViewDoc {
  /** `${userId}/${eventId}` */
  _id: string;
  userId: string;
  eventId: string;
  seconds: number;
  at: Date;
  /** Updates up to this date are forgotten (the person cleared the entry). */
  clearedAt?: Date;
  changedAt: Date;
}

export interface FollowDoc {
  /** `${userId}/${channelId}` */
  _id: string;
  userId: string;
  channelId: string;
  following: boolean;
  /** The subscription event's time: an older one changes nothing. */
  at: Date;
}

export interface PersonDoc {
  _id: string;
  clearedAt?: Date;
  deletedAt?: Date;
}

const pair = (a: string, b: string) => `${a}/${b}`;
/** A category's most recent events read to find its audience (older views weigh little). */
const AUDIENCE_ITEMS = 2_000;

export class RecommendationStore {
  readonly items: Collection<ItemDoc>;
  readonly views: Collection<ViewDoc>;
  readonly follows: Collection<FollowDoc>;
  readonly people: Collection<PersonDoc>;

  constructor(db: Db) {
    this.items = db.collection("items");
    this.views = db.collection("views");
    this.follows = db.collection("follows");
    this.people = db.collection("people");
  }

  async ensureIndexes(): Promise<void> {
    await this.items.createIndex({ changedAt: 1 });
    await this.views.createIndex({ changedAt: 1 });
    await this.views.createIndex({ userId: 1 });
    await this.follows.createIndex({ userId: 1 });
  }

  /** An event's snapshot, unless a newer version is stored. */
  async putItem(item: ItemInput, version: number): Promise<void> {
    const { id, ...fields } = item;
    await this.items
      .updateOne(
        { _id: id, version: { $lt: version } },
        { $set: { ...fields, version, changedAt: new Date() } },
        { upsert: true },
      )
      .catch(ignoreDuplicate); // a newer version is there: the upsert met it
  }

  /** A person's entry as it stands, unless it is older than what is stored or was cleared. */
  async putView(view: ViewInput): Promise<void> {
    const person = await this.people.findOne({ _id: view.personId });
    const at = new Date(view.at);
    if (person?.deletedAt || (person?.clearedAt && at <= person.clearedAt)) return;
    await this.views
      .updateOne(
        {
          _id: pair(view.personId, view.eventId),
          at: { $lt: at },
          $or: [{ clearedAt: { $exists: false } }, { clearedAt: { $lt: at } }],
        },
        {
          $set: {
            userId: view.personId,
            eventId: view.eventId,
            seconds: view.seconds,
            at,
            changedAt: new Date(),
          },
        },
        { upsert: true },
      )
      .catch(ignoreDuplicate);
  }

  /** Forgets a person's entry of one event, or all of them, as of `at`. */
  async clear(userId: string, at: Date, eventId?: string): Promise<void> {
    if (eventId === undefined) {
      await this.people.updateOne({ _id: userId }, { $max: { clearedAt: at } }, { upsert: true });
      await this.views.deleteMany({ userId, at: { $lte: at } });
      return;
    }
    await this.views.updateOne(
      { _id: pair(userId, eventId) },
      {
        $set: { userId, eventId, seconds: 0, changedAt: new Date() },
        $max: { clearedAt: at, at },
      },
      { upsert: true },
    );
  }

  /** Follows or unfollows a channel, unless a later subscription event said otherwise. */
  async putFollow(userId: string, channelId: string, following: boolean, at: Date): Promise<void> {
    await this.follows
      .updateOne(
        { _id: pair(userId, channelId), at: { $lt: at } },
        { $set: { userId, channelId, following, at } },
        { upsert: true },
      )
      .catch(ignoreDuplicate);
  }

  /** A deleted account: what it watched and followed goes, and nothing of it comes back. */
  async forgetPerson(userId: string, at: Date): Promise<void> {
    await this.people.updateOne({ _id: userId }, { $set: { deletedAt: at } }, { upsert: true });
    await this.views.deleteMany({ userId });
    await this.follows.deleteMany({ userId });
  }

  /** A person's history (what they watched, cleared entries left out) and follows. */
  async person(userId: string): Promise<{ views: ViewDoc[]; follows: string[] }> {
    const [views, follows] = await Promise.all([
      this.views.find({ userId, seconds: { $gt: 0 } }).toArray(),
      this.follows.find({ userId, following: true }, { projection: { channelId: 1 } }).toArray(),
    ]);
    return { views, follows: follows.map((f) => f.channelId) };
  }

  /**
   * People who watched at least `minSeconds` of the category's events since `since`, and who
   * neither follow `channelId` nor were deleted; ordered by id (a redelivery asks the same).
   */
  async audience(
    category: string,
    channelId: string,
    since: Date,
    minSeconds: number,
  ): Promise<string[]> {
    const items = await this.items
      .find({ category, status: { $ne: "cancelled" } }, { projection: { _id: 1 } })
      .sort({ startsAt: -1 })
      .limit(AUDIENCE_ITEMS)
      .toArray();
    if (items.length === 0) return [];
    const views = await this.views
      .find(
        { eventId: { $in: items.map((i) => i._id) }, at: { $gte: since }, seconds: { $gt: 0 } },
        { projection: { userId: 1, seconds: 1 } },
      )
      .toArray();
    const seconds = new Map<string, number>();
    for (const view of views)
      seconds.set(view.userId, (seconds.get(view.userId) ?? 0) + view.seconds);
    const keen = [...seconds].filter(([, s]) => s >= minSeconds).map(([userId]) => userId);
    if (keen.length === 0) return [];
    const [following, deleted] = await Promise.all([
      this.follows
        .find({ userId: { $in: keen }, channelId, following: true }, { projection: { userId: 1 } })
        .toArray(),
      this.people
        .find({ _id: { $in: keen }, deletedAt: { $exists: true } }, { projection: { _id: 1 } })
        .toArray(),
    ]);
    const left = new Set([...following.map((f) => f.userId), ...deleted.map((p) => p._id)]);
    return keen.filter((userId) => !left.has(userId)).sort();
  }

  /** Items and views changed after `since` (all of them from the epoch). */
  async changedSince(since: Date): Promise<{ items: ItemDoc[]; views: ViewDoc[] }> {
    const [items, views] = await Promise.all([
      this.items.find({ changedAt: { $gt: since } }).toArray(),
      this.views.find({ changedAt: { $gt: since }, seconds: { $gt: 0 } }).toArray(),
    ]);
    return { items, views };
  }
}

/** A conditional upsert that met the document it must not change (newer, or cleared). */
function ignoreDuplicate(error: unknown): void {
  if (!isDuplicateKey(error)) throw error;
}
