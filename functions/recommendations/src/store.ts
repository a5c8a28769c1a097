// What the recommendations function keeps (MongoDB, its own database), learnt from CloudEvents:
//   items    one per event, its snapshot as the ranking reads it (newest version wins)
//   views    one per (person, event): seconds watched and when, from history.updated (the
//            latest wins; a clearing's date keeps an older update from coming back)
//   follows  one per (person, channel): followed or not, as of the latest subscription event
//   people   a person's clearing date (all their history) or deletion (nothing of them is kept)
//   changes  each write above as it was asked, stamped when logged: what the API's model takes
//            in every few seconds (replica.ts). Entries older than CHANGES_KEPT_MS are pruned:
//            the model is rebuilt from the collections more often than that. A small
//            collection, so reading it is cheap even where every find scans (FerretDB 1.24).
// Every write is idempotent and order-proof, so a redelivered or late event changes nothing;
// the change log is taken in by the same rules (people.ts), so a duplicate entry changes nothing.
import { isDuplicateKey } from "@stream-platform/shared/mongodb";
import type { Collection, Db, ObjectId } from "mongodb";
import type { ItemInput, ViewInput } from "./model.ts";

export interface ItemDoc extends Omit<ItemInput, "id"> {
  _id: string;
  version: number;
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

/** A write as the sink asked it (times in ms): taken in by the API's model (replica.ts). */
export type Change =
  | { kind: "item"; item: ItemInput; version: number }
  | { kind: "view"; view: ViewInput }
  | { kind: "cleared"; userId: string; at: number; eventId?: string }
  | { kind: "follow"; userId: string; channelId: string; following: boolean; at: number }
  | { kind: "deleted"; userId: string; at: number };

export type ChangeDoc = Change & { _id?: ObjectId; loggedAt: Date };

/** Where a full read of the store goes, one document at a time (the model's build). */
export interface StoreReader {
  person(doc: PersonDoc): void;
  item(doc: ItemDoc): void;
  view(doc: Pick<ViewDoc, "userId" | "eventId" | "seconds" | "at">): void;
  follow(doc: FollowDoc): void;
}

/** How long the change log keeps an entry: the API's replica is rebuilt sooner (model-cache.ts). */
export const CHANGES_KEPT_MS = 3_600_000;
const PRUNE_EVERY_MS = 60_000;

const pair = (a: string, b: string) => `${a}/${b}`;
/** A category's most recent events read to find its audience (older views weigh little). */
const AUDIENCE_ITEMS = 2_000;

export class RecommendationStore {
  readonly items: Collection<ItemDoc>;
  readonly views: Collection<ViewDoc>;
  readonly follows: Collection<FollowDoc>;
  readonly people: Collection<PersonDoc>;
  readonly changes: Collection<ChangeDoc>;
  private prunedAt = 0;

  constructor(
    db: Db,
    private readonly now = () => Date.now(),
  ) {
    this.items = db.collection("items");
    this.views = db.collection("views");
    this.follows = db.collection("follows");
    this.people = db.collection("people");
    this.changes = db.collection("changes");
  }

  async ensureIndexes(): Promise<void> {
    await this.views.createIndex({ userId: 1 });
    await this.follows.createIndex({ userId: 1 });
    await this.changes.createIndex({ loggedAt: 1 });
  }

  /**
   * Appends a write to the change log, after the write itself: a failure fails the delivery,
   * which comes again and writes both (taking in an entry twice changes nothing). Now and then
   * prunes what is older than CHANGES_KEPT_MS; a failed prune is retried by a later write.
   */
  private async log(change: Change): Promise<void> {
    const now = this.now();
    await this.changes.insertOne({ ...change, loggedAt: new Date(now) });
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    await this.changes
      .deleteMany({ loggedAt: { $lt: new Date(now - CHANGES_KEPT_MS) } })
      .catch(() => {
        this.prunedAt = 0;
      });
  }

  /** The change log's entries logged after `since` (the sink's clock). */
  changesSince(since: Date): Promise<ChangeDoc[]> {
    return this.changes.find({ loggedAt: { $gt: since } }).toArray();
  }

  /**
   * Everything the model is built from, streamed one document at a time (a million views
   * never sit in memory as documents): people, items, views (cleared entries too: their dates
   * keep older updates out), follows.
   */
  async readAll(into: StoreReader): Promise<void> {
    for await (const doc of this.people.find()) into.person(doc);
    for await (const doc of this.items.find()) into.item(doc);
    const views = this.views.find(
      {},
      { projection: { _id: 0, userId: 1, eventId: 1, seconds: 1, at: 1 } },
    );
    for await (const doc of views) into.view(doc);
    for await (const doc of this.follows.find()) into.follow(doc);
  }

  /** An event's snapshot, unless a newer version is stored. */
  async putItem(item: ItemInput, version: number): Promise<void> {
    const { id, ...fields } = item;
    await this.items
      .updateOne(
        { _id: id, version: { $lt: version } },
        { $set: { ...fields, version } },
        { upsert: true },
      )
      .catch(ignoreDuplicate); // a newer version is there: the upsert met it
    await this.log({ kind: "item", item, version });
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
          },
        },
        { upsert: true },
      )
      .catch(ignoreDuplicate);
    await this.log({ kind: "view", view });
  }

  /** Forgets a person's entry of one event, or all of them, as of `at`. */
  async clear(userId: string, at: Date, eventId?: string): Promise<void> {
    if (eventId === undefined) {
      await this.people.updateOne({ _id: userId }, { $max: { clearedAt: at } }, { upsert: true });
      await this.views.deleteMany({ userId, at: { $lte: at } });
    } else
      await this.views.updateOne(
        { _id: pair(userId, eventId) },
        { $set: { userId, eventId, seconds: 0 }, $max: { clearedAt: at, at } },
        { upsert: true },
      );
    await this.log({
      kind: "cleared",
      userId,
      at: at.getTime(),
      ...(eventId !== undefined && { eventId }),
    });
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
    await this.log({ kind: "follow", userId, channelId, following, at: at.getTime() });
  }

  /** A deleted account: what it watched and followed goes, and nothing of it comes back. */
  async forgetPerson(userId: string, at: Date): Promise<void> {
    await this.people.updateOne({ _id: userId }, { $set: { deletedAt: at } }, { upsert: true });
    await this.views.deleteMany({ userId });
    await this.follows.deleteMany({ userId });
    await this.log({ kind: "deleted", userId, at: at.getTime() });
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
}

/** A conditional upsert that met the document it must not change (newer, or cleared). */
function ignoreDuplicate(error: unknown): void {
  if (!isDuplicateKey(error)) throw error;
}
