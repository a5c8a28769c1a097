// What "For you" ranks from, kept so that a sink can feed it one record at a time (an event's
// snapshot: upsertItem; a person's time on an event: addView): every item (an event or its
// recording) with what the ranking reads of it, its counted viewers, its heat (recent views),
// and for each item how many of its viewers also watched each other item (co-watch counts).
// Pure: no I/O and no clock (times are passed in, in ms since the Unix epoch); building it in
// one go (buildModel) is the same calls in time order, so both give the same model.
import { TopList } from "./top-list.ts";

export type ItemStatus = "scheduled" | "live" | "ended" | "cancelled";

/** An event as the ranking needs it (from its snapshot). */
export interface ItemInput {
  id: string;
  title: string;
  channelId: string;
  category?: string;
  tags: string[];
  status: ItemStatus;
  /** When it starts (scheduled) or started (live, ended), ms. */
  startsAt: number;
}

/** A person's time on an event so far (their history entry), as often as it grows. */
export interface ViewInput {
  personId: string;
  eventId: string;
  /** Seconds watched in all. */
  seconds: number;
  /** When, ms. */
  at: number;
}

export interface Item extends ItemInput {
  /** Its place in `Model.items`. */
  idx: number;
  /** False while only views of it are known (its snapshot has not arrived): never recommended. */
  described: boolean;
  /** People whose view of it counted. */
  viewers: number;
  /** Σ 2^((view time − epoch) / half-life) over counted views; see `heatScale`. */
  heat: number;
  /** Other item's idx → people who counted a view of both (within each one's window). */
  coViews: Map<number, number>;
}

/** The best items of a category, a tag or a channel, by heat. */
interface Facet {
  members: Set<number>;
  top: TopList;
}

export interface Model {
  /** The heat's reference time (ms): see `heatScale`. */
  epoch: number;
  items: Item[];
  byId: Map<string, Item>;
  /** Per person: the items whose view counted, and the last few of them (the co-watch window). */
  people: Map<string, { counted: Set<number>; recent: number[] }>;
  hottest: TopList;
  categories: Map<string, Facet>;
  tags: Map<string, Facet>;
  channels: Map<string, Facet>;
  /** Channel → its items scheduled or live (followed channels' next and current events). */
  open: Map<string, Set<number>>;
  live: Set<number>;
  /** Views counted so far. */
  views: number;
  /**
   * Each item's `heat` and `viewers` again, by idx, in arrays (longer than `items` as they
   * grow): a ranking reads them for thousands of items, and reading them from the scattered
   * Item objects (the heat a number boxed on its own) was most of its time.
   */
  heats: Float64Array;
  viewerCounts: Int32Array;
}

/** A view counts (for co-watching and popularity) from this many seconds: a bounce says little. */
export const COUNTED_VIEW_SECONDS = 30;
/**
 * A counted view is paired with the person's previous this-many counted views: what is watched
 * close together is related more surely than what is years apart, and it bounds a view's cost.
 */
export const CO_WATCH_WINDOW = 30;
/** Co-watch rows keep at most this many neighbours: over it they are cut to the best KEPT. */
export const CO_WATCH_ROW_MAX = 150;
export const CO_WATCH_ROW_KEPT = 100;
/** Heat halves in a week: "trending" is what is watched now, not what was last year. */
export const HEAT_HALF_LIFE_MS = 7 * 24 * 3600_000;

const TOP_OVERALL = 200;
const TOP_PER_FACET = 40;

/**
 * An empty model. Heat is stored at the scale of `epoch` so that it only ever grows and every
 * item's heat compares at any time without decaying each one; `epoch` should lie near the first
 * views (2^((at − epoch)/week) stays a finite double for about 19 years after it).
 */
export function createModel(epoch: number): Model {
  const model: Model = {
    epoch,
    items: [],
    byId: new Map(),
    people: new Map(),
    hottest: new TopList(TOP_OVERALL, (a, b) => hotter(model, a, b)),
    categories: new Map(),
    tags: new Map(),
    channels: new Map(),
    open: new Map(),
    live: new Set(),
    views: 0,
    heats: new Float64Array(1024),
    viewerCounts: new Int32Array(1024),
  };
  return model;
}

/** Hotter first; equal heat: the smaller id (so ties never depend on arrival order). */
function hotter(model: Model, a: number, b: number): boolean {
  const x = model.items[a] as Item;
  const y = model.items[b] as Item;
  return x.heat !== y.heat ? x.heat > y.heat : x.id < y.id;
}

/**
 * What every item's stored heat is multiplied by to be its heat at `now`: each view weighs half
 * as much a half-life later.
 */
export function heatScale(model: Model, now: number): number {
  return 2 ** ((model.epoch - now) / HEAT_HALF_LIFE_MS);
}

function itemFor(model: Model, id: string): Item {
  let item = model.byId.get(id);
  if (!item) {
    item = {
      id,
      title: "",
      channelId: "",
      tags: [],
      status: "ended",
      startsAt: 0,
      idx: model.items.length,
      described: false,
      viewers: 0,
      heat: 0,
      coViews: new Map(),
    };
    model.items.push(item);
    model.byId.set(id, item);
    if (item.idx >= model.heats.length) {
      const heats = new Float64Array(model.heats.length * 2);
      heats.set(model.heats);
      model.heats = heats;
      const viewerCounts = new Int32Array(model.viewerCounts.length * 2);
      viewerCounts.set(model.viewerCounts);
      model.viewerCounts = viewerCounts;
    }
  }
  return item;
}

/** The facets (category, each tag, channel) an item is listed under. */
function facetsOf(model: Model, item: Item): [Map<string, Facet>, string][] {
  return [
    ...(item.category ? [[model.categories, item.category] as [Map<string, Facet>, string]] : []),
    ...item.tags.map((tag) => [model.tags, tag] as [Map<string, Facet>, string]),
    [model.channels, item.channelId],
  ];
}

function join(model: Model, item: Item): void {
  for (const [facets, key] of facetsOf(model, item)) {
    let facet = facets.get(key);
    if (!facet) {
      facet = {
        members: new Set(),
        top: new TopList(TOP_PER_FACET, (a, b) => hotter(model, a, b)),
      };
      facets.set(key, facet);
    }
    facet.members.add(item.idx);
    facet.top.raise(item.idx);
  }
}

function leave(model: Model, item: Item): void {
  for (const [facets, key] of facetsOf(model, item)) {
    const facet = facets.get(key);
    if (!facet) continue;
    facet.members.delete(item.idx);
    if (facet.top.entries.includes(item.idx)) facet.top.rebuild(facet.members);
  }
}

function setOpen(model: Model, item: Item, open: boolean): void {
  let items = model.open.get(item.channelId);
  if (open) {
    if (!items) {
      items = new Set();
      model.open.set(item.channelId, items);
    }
    items.add(item.idx);
  } else if (items) {
    items.delete(item.idx);
    if (items.size === 0) model.open.delete(item.channelId);
  }
}

/** An event was created or changed (its snapshot): the model takes what the ranking reads. */
export function upsertItem(model: Model, input: ItemInput): Item {
  const item = itemFor(model, input.id);
  if (item.described) {
    leave(model, item);
    setOpen(model, item, false);
  }
  item.title = input.title;
  item.channelId = input.channelId;
  item.category = input.category || undefined;
  item.tags = [...new Set(input.tags)];
  item.status = input.status;
  item.startsAt = input.startsAt;
  item.described = true;
  join(model, item);
  model.hottest.raise(item.idx);
  setOpen(model, item, item.status === "scheduled" || item.status === "live");
  if (item.status === "live") model.live.add(item.idx);
  else model.live.delete(item.idx);
  return item;
}

/**
 * One more person watched both: the pair's count grows. A row grown past CO_WATCH_ROW_MAX loses
 * its rarest pairs (count 1, then 2, …) until at most CO_WATCH_ROW_KEPT remain: a pair that
 * matters keeps coming back and outgrows the cut, and the cut reads counts only, never ids or
 * arrival order, in one pass per level.
 */
function bump(row: Map<number, number>, other: number): void {
  row.set(other, (row.get(other) ?? 0) + 1);
  if (row.size <= CO_WATCH_ROW_MAX) return;
  for (let rarest = 1; row.size > CO_WATCH_ROW_KEPT; rarest++)
    for (const [key, count] of row) if (count <= rarest) row.delete(key);
}

/**
 * A person's time on an event grew. The first time it reaches COUNTED_VIEW_SECONDS the view
 * counts: the item gains a viewer and heat, and is paired with the person's recent counted
 * views. Later growth changes nothing here (the ranking weighs watch time from the person's own
 * history). Returns whether the view counted now.
 */
export function addView(model: Model, view: ViewInput): boolean {
  if (view.seconds < COUNTED_VIEW_SECONDS) return false;
  const item = itemFor(model, view.eventId);
  let person = model.people.get(view.personId);
  if (!person) {
    person = { counted: new Set(), recent: [] };
    model.people.set(view.personId, person);
  }
  if (person.counted.has(item.idx)) return false;
  person.counted.add(item.idx);
  for (const other of person.recent) {
    bump(item.coViews, other);
    bump((model.items[other] as Item).coViews, item.idx);
  }
  person.recent.push(item.idx);
  if (person.recent.length > CO_WATCH_WINDOW) person.recent.shift();
  item.viewers += 1;
  item.heat += 2 ** ((view.at - model.epoch) / HEAT_HALF_LIFE_MS);
  model.viewerCounts[item.idx] = item.viewers;
  model.heats[item.idx] = item.heat;
  model.views += 1;
  if (item.described) {
    model.hottest.raise(item.idx);
    for (const [facets, key] of facetsOf(model, item)) facets.get(key)?.top.raise(item.idx);
  }
  return true;
}

/** The model of these items and views at once: views in time order (then person, event). */
export function buildModel(items: ItemInput[], views: ViewInput[], epoch?: number): Model {
  const ordered = [...views].sort(
    (a, b) =>
      a.at - b.at ||
      (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0) ||
      (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
  const model = createModel(epoch ?? ordered[0]?.at ?? 0);
  for (const item of items) upsertItem(model, item);
  for (const view of ordered) addView(model, view);
  return model;
}
