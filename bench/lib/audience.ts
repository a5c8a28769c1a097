// A generated audience with taste, for the "For you" benchmarks (bench/recommendations.ts: its
// quality offline; bench/for-you.ts: its latency through the function). Seeded: every run
// generates the same catalogue and people.
//
// Items belong to niches (two per category, each with tags of its own, though a third of the
// items carry none of them), made by channels of that niche; popularity is Zipf-skewed over all
// items, whatever their niche. Each person likes one niche, or two; 70% of their views are in
// their niches (the popular items there more often, some from the few channels they follow),
// 30% anywhere, by popularity alone (the hit everyone watches); what they like they watch
// longer. Views are spread over 60 days from `start`; items ended up to 90 days before it.
import type { ItemInput, ViewInput } from "../../functions/recommendations/src/model.ts";

export const CATEGORIES = [
  "Gaming",
  "Music",
  "Talk",
  "Sports",
  "Cooking",
  "Science",
  "Art",
  "Tech",
  "Travel",
  "Fitness",
  "Education",
  "Comedy",
];
export const NICHES = CATEGORIES.length * 2;
const GENERAL_TAGS = Array.from({ length: 20 }, (_, i) => `general${i}`);
const IN_TASTE = 0.7;
const FROM_FOLLOWED = 0.15;
export const DAY = 24 * 3600_000;
/** The days a person's views are spread over. */
export const DAYS = 60;

export interface AudienceOptions {
  /** Views in all (at most). */
  views: number;
  /** People (at most: generation stops when the views run out). */
  people: number;
  items: number;
  /** Each person has at least this many views and 3 more (the quality benchmark holds them out). */
  minViews: number;
  seed: number;
  /** When the 60 days of views begin (ms). */
  start: number;
}

export interface GeneratedPerson {
  id: string;
  niches: number[];
  /** Channel ids they follow. */
  follows: string[];
  /** In time order. */
  views: ViewInput[];
}

export interface Audience {
  items: ItemInput[];
  /** Each item's niche, by its place in `items`. */
  niche: number[];
  people: GeneratedPerson[];
  /** Views generated in all. */
  total: number;
}

/** mulberry32: a small seeded PRNG, so that every run generates the same audience. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateAudience(options: AudienceOptions): Audience {
  const { views: VIEWS, people: USERS, items: ITEMS, start: START } = options;
  const random = prng(options.seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;

  /** Draws an index with probability ∝ its weight (cumulative sums, binary search). */
  class Weighted {
    private readonly sums: Float64Array;
    constructor(
      readonly members: number[],
      weight: (member: number) => number,
    ) {
      this.sums = new Float64Array(members.length);
      let sum = 0;
      members.forEach((member, i) => {
        sum += weight(member);
        this.sums[i] = sum;
      });
    }
    draw(): number {
      const target = random() * (this.sums[this.sums.length - 1] ?? 0);
      let [low, high] = [0, this.sums.length - 1];
      while (low < high) {
        const mid = (low + high) >> 1;
        if ((this.sums[mid] as number) <= target) low = mid + 1;
        else high = mid;
      }
      return this.members[low] as number;
    }
  }

  // Items: niche, category (mostly the niche's), tags, channel; popularity by a shuffled Zipf rank.
  const nicheTags = Array.from({ length: NICHES }, (_, n) =>
    [0, 1, 2].map((k) => `niche${n}-${k}`),
  );
  const channelsPerNiche = Math.max(2, Math.round(ITEMS / 25 / NICHES));
  const ranks = Array.from({ length: ITEMS }, (_, i) => i);
  for (let i = ranks.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [ranks[i], ranks[j]] = [ranks[j] as number, ranks[i] as number];
  }
  const popularity = ranks.map((rank) => 1 / (rank + 1));
  const niche: number[] = [];
  const items: ItemInput[] = Array.from({ length: ITEMS }, (_, i) => {
    const n = int(NICHES);
    niche.push(n);
    const tags = new Set<string>();
    if (random() >= 1 / 3) for (let k = 1 + int(2); k > 0; k--) tags.add(pick(nicheTags[n] ?? []));
    for (let k = int(3); k > 0; k--) tags.add(pick(GENERAL_TAGS));
    return {
      id: `evt_${i.toString(36).padStart(4, "0")}`,
      title: `Recording ${i}`,
      channelId: `ch_${n}_${int(channelsPerNiche)}`,
      category: random() < 0.8 ? CATEGORIES[n % CATEGORIES.length] : pick(CATEGORIES),
      tags: [...tags],
      status: "ended",
      startsAt: START - int(90) * DAY,
    };
  });
  const everything = new Weighted(ranks, (i) => popularity[i] as number);
  const byNiche = Array.from(
    { length: NICHES },
    (_, n) =>
      new Weighted(
        ranks.filter((i) => niche[i] === n),
        (i) => popularity[i] as number,
      ),
  );
  const channelItems = new Map<string, number[]>();
  for (const [i, item] of items.entries()) {
    const members = channelItems.get(item.channelId);
    if (members) members.push(i);
    else channelItems.set(item.channelId, [i]);
  }
  const byChannel = new Map(
    [...channelItems].map(([channel, members]) => [
      channel,
      new Weighted(members, (i) => popularity[i] as number),
    ]),
  );

  // People: one or two niches, a few followed channels there, views spread over 60 days.
  const people: GeneratedPerson[] = [];
  const perPerson = VIEWS / USERS;
  let total = 0;
  for (let u = 0; u < USERS && total < VIEWS; u++) {
    const first = int(NICHES);
    const niches = random() < 0.4 ? [first, (first + 1 + int(NICHES - 1)) % NICHES] : [first];
    const follows = [...new Set(Array.from({ length: 1 + int(3) }, () => pick(niches)))].map(
      (n) => items[byNiche[n]?.draw() ?? 0]?.channelId as string,
    );
    const count = Math.max(
      options.minViews + 3,
      Math.min(VIEWS - total, Math.round(perPerson * Math.exp(0.6 * (random() + random() - 1)))),
    );
    const seen = new Set<number>();
    const times = Array.from({ length: count }, () => START + random() * DAYS * DAY).sort(
      (a, b) => a - b,
    );
    const views: ViewInput[] = [];
    for (const at of times) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const inTaste = random() < IN_TASTE;
        const fromFollowed = inTaste && follows.length > 0 && random() < FROM_FOLLOWED;
        const i = fromFollowed
          ? (byChannel.get(pick(follows))?.draw() as number)
          : inTaste
            ? (byNiche[niches[random() < 0.7 ? 0 : niches.length - 1] as number]?.draw() as number)
            : everything.draw();
        if (seen.has(i)) continue;
        seen.add(i);
        const seconds = inTaste ? 600 + int(3000) : 60 + int(1140);
        views.push({ personId: `u${u}`, eventId: items[i]?.id as string, seconds, at });
        break;
      }
    }
    total += views.length;
    people.push({ id: `u${u}`, niches, follows, views });
  }
  return { items, niche, people, total };
}
