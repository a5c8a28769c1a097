// What the API ranks from, all in memory: the co-watch model of everyone's views (model.ts),
// each person's own history and follows (people.ts), and each item's version. Built from the
// store in one read (ReplicaBuilder), then kept current from its change log (applyChanges).
// Pure: no I/O, no clock.
import {
  addView,
  COUNTED_VIEW_SECONDS,
  createModel,
  type ItemInput,
  type Model,
  upsertItem,
  type ViewInput,
} from "./model.ts";
import { People } from "./people.ts";
import type { Change, FollowDoc, ItemDoc, PersonDoc, StoreReader, ViewDoc } from "./store.ts";

export interface Replica {
  model: Model;
  people: People;
  /** Each item's snapshot version taken in: an older one changes nothing (as in the store). */
  versions: Map<string, number>;
}

/** Views added to the model between two offers to pause a build (well under a millisecond). */
const VIEWS_PER_PAUSE = 256;

/**
 * Takes in change-log entries, in any order and any number of times (each rule is order-proof
 * and idempotent). Views of a person cleared or deleted since stay in the co-watch counts,
 * anonymous, until the next build; their own list drops them at once.
 */
export function applyChanges(replica: Replica, changes: Iterable<Change>): void {
  const { model, people, versions } = replica;
  const views: ViewInput[] = [];
  for (const change of changes) {
    switch (change.kind) {
      case "item":
        if ((versions.get(change.item.id) ?? Number.NEGATIVE_INFINITY) >= change.version) break;
        versions.set(change.item.id, change.version);
        upsertItem(model, change.item);
        break;
      case "view": {
        const { personId, eventId, seconds, at } = change.view;
        if (people.view(personId, eventId, seconds, at)) views.push(change.view);
        break;
      }
      case "cleared":
        people.clear(change.userId, change.at, change.eventId);
        break;
      case "follow":
        people.follow(change.userId, change.channelId, change.following, change.at);
        break;
      case "deleted":
        people.forget(change.userId);
        break;
    }
  }
  // In time order, as a build adds them (the co-watch window pairs each with the previous ones).
  for (const view of views.sort((a, b) => a.at - b.at)) addView(model, view);
}

/** Grows a typed column to hold one more value at `n`. */
function room<T extends Uint32Array | Float64Array>(column: T, n: number): T {
  if (n < column.length) return column;
  const grown = new (column.constructor as new (length: number) => T)(column.length * 2);
  grown.set(column);
  return grown;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A replica from a full read of the store (StoreReader, one document at a time). The views
 * that count are kept in typed columns until `finish` adds them in time order (then person,
 * event: buildModel's order, so both give the same model), pausing every few thousand so that
 * requests are answered while an hourly rebuild runs.
 */
export class ReplicaBuilder implements StoreReader {
  private readonly people = new People();
  private readonly items: ItemInput[] = [];
  private readonly versions = new Map<string, number>();
  private readonly personIds: string[] = [];
  private readonly personNos = new Map<string, number>();
  private n = 0;
  private who = new Uint32Array(1024);
  private what = new Uint32Array(1024);
  private seconds = new Float64Array(1024);
  private when = new Float64Array(1024);
  private earliest = Number.POSITIVE_INFINITY;

  person(doc: PersonDoc): void {
    if (doc.deletedAt) this.people.forget(doc._id);
    else if (doc.clearedAt) this.people.clear(doc._id, doc.clearedAt.getTime());
  }

  item({ _id, version, ...item }: ItemDoc): void {
    this.items.push({ id: _id, ...item });
    this.versions.set(_id, version);
  }

  view(doc: Pick<ViewDoc, "userId" | "eventId" | "seconds" | "at">): void {
    const at = doc.at.getTime();
    if (!this.people.view(doc.userId, doc.eventId, doc.seconds, at) || doc.seconds <= 0) return;
    this.earliest = Math.min(this.earliest, at);
    if (doc.seconds < COUNTED_VIEW_SECONDS) return;
    let who = this.personNos.get(doc.userId);
    if (who === undefined) {
      who = this.personIds.length;
      this.personIds.push(doc.userId);
      this.personNos.set(doc.userId, who);
    }
    const n = this.n++;
    this.who = room(this.who, n);
    this.what = room(this.what, n);
    this.seconds = room(this.seconds, n);
    this.when = room(this.when, n);
    this.who[n] = who;
    this.what[n] = this.people.eventNo(doc.eventId);
    this.seconds[n] = doc.seconds;
    this.when[n] = at;
  }

  follow(doc: FollowDoc): void {
    this.people.follow(doc.userId, doc.channelId, doc.following, doc.at.getTime());
  }

  /**
   * The replica; `pause` is offered every few hundred views and may let other work run (a
   * build takes seconds to a minute at a million views).
   */
  async finish(pause: () => Promise<void> = async () => {}): Promise<Replica> {
    const { who, what, seconds, when, personIds, people } = this;
    const order = new Uint32Array(this.n);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort(
      (a, b) =>
        (when[a] as number) - (when[b] as number) ||
        compare(personIds[who[a] as number] as string, personIds[who[b] as number] as string) ||
        compare(people.eventId(what[a] as number), people.eventId(what[b] as number)),
    );
    const model = createModel(Number.isFinite(this.earliest) ? this.earliest : 0);
    for (const item of this.items) upsertItem(model, item);
    this.items.length = 0;
    await pause();
    for (let k = 0; k < order.length; k++) {
      if (k > 0 && k % VIEWS_PER_PAUSE === 0) await pause();
      const i = order[k] as number;
      addView(model, {
        personId: personIds[who[i] as number] as string,
        eventId: people.eventId(what[i] as number),
        seconds: seconds[i] as number,
        at: when[i] as number,
      });
    }
    return { model, people, versions: this.versions };
  }
}
