// "For you": a person's items, ranked from the model and their own history and follows, each
// with the reason it is there. Deterministic: the same model, person and time give the same list.
//
// For a candidate y and the person's history items x (watched s_x seconds, last at t_x):
//   w_x      = √min(1, s_x / 1 h) · 2^(−(now − t_x) / 30 days)   how much x tells of their taste:
//              watch time (with diminishing returns), and recent taste first
//   sim(x,y) = c / √(n_x · n_y) · c / (c + 3)                    cosine over viewers (n: an item's
//              viewers, c: people who watched both), shrunk while c is small: two co-viewers
//              may be chance, thirty are not
//   co(y)    = Σ_x w_x · sim(x, y), over the strongest candidate's  ("watched X also watched y")
//   cat(y)   = share of Σ w on y's category;  tag(y) = mean over y's tags of the share of Σ w on it
//   pop(y)   = heat(y) / heat of the hottest item                   (what is watched now)
//   score    = (1·co + (0.35·cat + 0.35·tag)·√pop + 0.25·pop) · 1.5 if live · 1.3 if followed
// Affinity is scaled by √pop: a category holds thousands of items, and liking it says which of
// them only with what its audience watches (the benchmark: affinity alone, unscaled, loses to
// plain popularity; scaled, it beats it). Co-watching needs no such help: it is item-specific.
// Only candidates are scored, never every item: the co-watch rows of the person's last 50 items,
// the hottest of their leading categories and tags, their followed channels' hottest, live and
// scheduled items, everything live, and the hottest overall. With no history this is trending.
//
// Left out: everything in the person's history (seen; an unfinished recording is Continue
// watching's; a live event they were in, they know of), cancelled events, scheduled ones but
// those of followed channels starting within 14 days (nothing else tells of a future event;
// 15 min past its start it is left out: it never started), and items known only from views (no
// snapshot yet). Equal scores go by event id.
import { heatScale, type Item, type Model } from "./model.ts";

export interface Person {
  /** Their history: seconds watched in all, and when last (ms). */
  watched: { eventId: string; seconds: number; at: number }[];
  /** Channel ids they follow. */
  follows: Iterable<string>;
}

export type Reason =
  | { kind: "watched"; eventId: string; text: string }
  | { kind: "category"; category: string; text: string }
  | { kind: "tag"; tag: string; text: string }
  | { kind: "popular-in-category"; category: string; text: string }
  | {
      kind: "trending" | "live" | "live-followed" | "upcoming-followed" | "followed";
      text: string;
    };

export interface Recommendation {
  eventId: string;
  title: string;
  score: number;
  reason: Reason;
}

export const WEIGHTS = { coWatch: 1, category: 0.35, tag: 0.35, popularity: 0.25 } as const;
export const LIVE_BOOST = 1.5;
export const FOLLOWED_BOOST = 1.3;
/** Co-viewers at which a pair's similarity is halved: few co-viewers may be chance. */
const SHRINK = 3;
const FULL_ENGAGEMENT_SECONDS = 3600;
const TASTE_HALF_LIFE_MS = 30 * 24 * 3600_000;
/** The most recent history items read: older ones weigh little, and each costs a row. */
const HISTORY_READ = 50;
const LEADING_CATEGORIES = 3;
const LEADING_TAGS = 5;
const PER_FOLLOWED_CHANNEL = 5;
const START_GRACE_MS = 15 * 60_000;
const UPCOMING_MS = 14 * 24 * 3600_000;

interface Taste {
  history: { item: Item; weight: number }[];
  /** Share of the history's weight on each category, each tag. */
  categories: Map<string, number>;
  tags: Map<string, number>;
}

function tasteOf(model: Model, watched: Person["watched"], now: number): Taste {
  const history = watched
    .map((entry) => ({ entry, item: model.byId.get(entry.eventId) }))
    .filter((known): known is { entry: typeof known.entry; item: Item } => known.item !== undefined)
    .sort((a, b) => b.entry.at - a.entry.at || (a.item.id < b.item.id ? -1 : 1))
    .slice(0, HISTORY_READ)
    .map(({ entry, item }) => ({
      item,
      weight:
        Math.sqrt(Math.min(1, entry.seconds / FULL_ENGAGEMENT_SECONDS)) *
        2 ** (-Math.max(0, now - entry.at) / TASTE_HALF_LIFE_MS),
    }));
  const total = history.reduce((sum, h) => sum + h.weight, 0);
  const categories = new Map<string, number>();
  const tags = new Map<string, number>();
  for (const { item, weight } of history) {
    const share = total > 0 ? weight / total : 0;
    if (item.category) categories.set(item.category, (categories.get(item.category) ?? 0) + share);
    for (const tag of item.tags) tags.set(tag, (tags.get(tag) ?? 0) + share);
  }
  return { history, categories, tags };
}

/** The keys with the largest shares (equal shares: alphabetical). */
function leading(shares: Map<string, number>, count: number): string[] {
  return [...shares]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, count)
    .map(([key]) => key);
}

function eligible(item: Item, now: number, follows: Set<string>): boolean {
  if (!item.described) return false;
  if (item.status === "live" || item.status === "ended") return true;
  if (item.status === "scheduled")
    return (
      follows.has(item.channelId) &&
      item.startsAt >= now - START_GRACE_MS &&
      item.startsAt <= now + UPCOMING_MS
    );
  return false;
}

/**
 * Per item scratch of one ranking, indexed by the item's idx and reused by the next (a ranking
 * runs to its end synchronously, so one at a time): a candidate's co-watch sum, and the history
 * item that gave the most of it. Thousands of candidates a request were thousands of objects in
 * a Map, most of a request's garbage.
 */
const scratch = {
  coWatch: new Float64Array(0),
  becauseWeight: new Float64Array(0),
  /** The history item's idx, −1 if none. */
  because: new Int32Array(0),
  offered: new Uint8Array(0),
};

function scratchFor(items: number): typeof scratch {
  if (scratch.offered.length < items) {
    const size = Math.max(items, scratch.offered.length * 2, 1024);
    scratch.coWatch = new Float64Array(size);
    scratch.becauseWeight = new Float64Array(size);
    scratch.because = new Int32Array(size);
    scratch.offered = new Uint8Array(size);
  }
  return scratch;
}

/** The candidates' idx, each once, their co-watch sums in the scratch. */
function candidatesFor(model: Model, taste: Taste, follows: Set<string>): number[] {
  const { coWatch, becauseWeight, because, offered } = scratchFor(model.items.length);
  const candidates: number[] = [];
  const offer = (idx: number) => {
    if (offered[idx] === 1) return;
    offered[idx] = 1;
    coWatch[idx] = 0;
    becauseWeight[idx] = 0;
    because[idx] = -1;
    candidates.push(idx);
  };
  const viewers = model.viewerCounts;
  for (const { item, weight } of taste.history) {
    for (const [other, both] of item.coViews) {
      const part =
        (weight * both * both) /
        ((both + SHRINK) * Math.sqrt(item.viewers * Math.max(1, viewers[other] as number)));
      offer(other);
      coWatch[other] = (coWatch[other] as number) + part;
      if (part > (becauseWeight[other] as number)) {
        becauseWeight[other] = part;
        because[other] = item.idx;
      }
    }
  }
  for (const category of leading(taste.categories, LEADING_CATEGORIES))
    for (const idx of model.categories.get(category)?.top.entries ?? []) offer(idx);
  for (const tag of leading(taste.tags, LEADING_TAGS))
    for (const idx of model.tags.get(tag)?.top.entries ?? []) offer(idx);
  for (const channel of follows) {
    for (const idx of model.channels.get(channel)?.top.entries.slice(0, PER_FOLLOWED_CHANNEL) ?? [])
      offer(idx);
    for (const idx of model.open.get(channel) ?? []) offer(idx);
  }
  for (const idx of model.live) offer(idx);
  for (const idx of model.hottest.entries) offer(idx);
  // Marks taken back now: the sums stay readable until the next ranking offers again.
  for (const idx of candidates) offered[idx] = 0;
  return candidates;
}

type Part = "coWatch" | "category" | "tag" | "popularity";

function reasonFor(
  item: Item,
  parts: Record<Part, number>,
  because: Item | undefined,
  followed: boolean,
  taste: Taste,
): Reason {
  if (followed && item.status === "live")
    return { kind: "live-followed", text: "Live now from a channel you follow" };
  if (followed && item.status === "scheduled")
    return { kind: "upcoming-followed", text: "Coming up on a channel you follow" };
  const best = (Object.keys(parts) as Part[]).reduce((a, b) => (parts[b] > parts[a] ? b : a));
  if (best === "coWatch" && because && parts.coWatch > 0)
    return {
      kind: "watched",
      eventId: because.id,
      text: `Because you watched ${because.title}`,
    };
  if (best === "category" && item.category && parts.category > 0)
    return {
      kind: "category",
      category: item.category,
      text: `Because you watch ${item.category}`,
    };
  if (best === "tag" && parts.tag > 0) {
    const tag = leading(new Map(item.tags.map((t) => [t, taste.tags.get(t) ?? 0])), 1)[0] as string;
    return { kind: "tag", tag, text: `Because you watch #${tag}` };
  }
  if (item.status === "live") return { kind: "live", text: "Live now" };
  if (followed) return { kind: "followed", text: "From a channel you follow" };
  if (item.category && taste.categories.has(item.category))
    return {
      kind: "popular-in-category",
      category: item.category,
      text: `Popular in ${item.category}`,
    };
  return { kind: "trending", text: "Trending now" };
}

interface Scored {
  item: Item;
  score: number;
  parts: Record<Part, number>;
  followed: boolean;
}

/** Higher score first; equal scores: the smaller event id. */
const ahead = (score: number, id: string, b: Scored) =>
  score !== b.score ? score > b.score : id < b.item.id;

/**
 * The person's `limit` best items at `now`, best first. Only the best `limit` are kept as the
 * candidates are scored (thousands of them: a full sort was most of a request's time), and only
 * they get objects of their own.
 */
export function recommend(model: Model, person: Person, now: number, limit = 10): Recommendation[] {
  if (limit <= 0) return [];
  // By idx: a candidate is then left out without reading its id (another object of its own).
  const watched = new Set<number>();
  for (const entry of person.watched) {
    const idx = model.byId.get(entry.eventId)?.idx;
    if (idx !== undefined) watched.add(idx);
  }
  const follows = new Set(person.follows);
  const taste = tasteOf(model, person.watched, now);
  const offered = candidatesFor(model, taste, follows);
  // Read after candidatesFor, which may have grown them.
  const { coWatch, because } = scratch;
  const candidates: number[] = [];
  let strongestCoWatch = 0;
  for (const idx of offered) {
    if (watched.has(idx) || !eligible(model.items[idx] as Item, now, follows)) continue;
    candidates.push(idx);
    strongestCoWatch = Math.max(strongestCoWatch, coWatch[idx] as number);
  }
  const scale = heatScale(model, now);
  const hottest = model.items[model.hottest.entries[0] ?? -1];
  const topHeat = hottest ? hottest.heat * scale : 0;
  // The most a candidate's category and tags can give, and its follow boost: a candidate whose
  // score cannot reach the list's last even so is left there, before its category, tags and
  // channel are read (each another object: the scattered reads were most of a ranking's time).
  const mostCategory = Math.max(0, ...taste.categories.values());
  const mostTag = Math.max(0, ...taste.tags.values());
  const mostFollowBoost = follows.size > 0 ? FOLLOWED_BOOST : 1;
  const best: Scored[] = [];
  // One record for every candidate's parts, copied for those that make the list.
  const parts: Record<Part, number> = { coWatch: 0, category: 0, tag: 0, popularity: 0 };
  for (const idx of candidates) {
    const popularity = topHeat > 0 ? ((model.heats[idx] as number) * scale) / topHeat : 0;
    const reach = Math.sqrt(popularity);
    parts.coWatch =
      strongestCoWatch > 0 ? (WEIGHTS.coWatch * (coWatch[idx] as number)) / strongestCoWatch : 0;
    parts.popularity = WEIGHTS.popularity * popularity;
    const liveBoost = model.live.has(idx) ? LIVE_BOOST : 1;
    const last = best.length >= limit ? (best[best.length - 1] as Scored) : undefined;
    // The same operations as the score's, on shares no smaller: never below it (IEEE rounding
    // is monotonic), so "cannot reach" is exact.
    if (
      last &&
      (parts.coWatch +
        WEIGHTS.category * reach * mostCategory +
        WEIGHTS.tag * reach * mostTag +
        parts.popularity) *
        liveBoost *
        mostFollowBoost <
        last.score
    )
      continue;
    const item = model.items[idx] as Item;
    let tagShares = 0;
    for (const tag of item.tags) tagShares += taste.tags.get(tag) ?? 0;
    const tagShare = tagShares / Math.max(1, item.tags.length);
    parts.category =
      WEIGHTS.category * reach * (item.category ? (taste.categories.get(item.category) ?? 0) : 0);
    parts.tag = WEIGHTS.tag * reach * tagShare;
    const followed = follows.has(item.channelId);
    const score =
      (parts.coWatch + parts.category + parts.tag + parts.popularity) *
      liveBoost *
      (followed ? FOLLOWED_BOOST : 1);
    if (last) {
      if (!ahead(score, item.id, last)) continue;
      best.pop();
    }
    let at = best.length;
    while (at > 0 && ahead(score, item.id, best[at - 1] as Scored)) at -= 1;
    best.splice(at, 0, { item, score, parts: { ...parts }, followed });
  }
  return best.map(({ item, score, parts, followed }) => ({
    eventId: item.id,
    title: item.title,
    score,
    reason: reasonFor(item, parts, model.items[because[item.idx] as number], followed, taste),
  }));
}
