// Benchmark (not a test): the quality of "For you" (functions/recommendations/src/rank.ts)
// offline, against a popularity baseline in the same run, and its cost. No servers.
//
// A generated audience with taste: items belong to niches (two per category, each with tags
// of its own, though a third of the items carry none of them), made by channels of that niche;
// popularity is Zipf-skewed over all items, whatever their niche. Each person likes one niche,
// or two; 70% of their views are in their niches (the popular items there more often, some from
// the few channels they follow), 30% anywhere, by popularity alone (the hit everyone watches);
// what they like they watch longer. Each person's last views are held out; both the ranking and
// the baseline (the most viewed items they have not seen) propose 10 items, and precision@10
// and recall@10 count the held-out ones among them.
//   npm run bench:recommendations   (BENCH_RECS_VIEWS=100000, BENCH_RECS_USERS=5000,
//                                    BENCH_RECS_ITEMS=10000, BENCH_RECS_HOLDOUT=5, BENCH_RECS_SEED=1)
import {
  buildModel,
  type ItemInput,
  type ViewInput,
} from "../functions/recommendations/src/model.ts";
import { recommend } from "../functions/recommendations/src/rank.ts";
import { printLine, summarize } from "./lib/stats.ts";

const VIEWS = Number(process.env.BENCH_RECS_VIEWS ?? 100_000);
const USERS = Number(process.env.BENCH_RECS_USERS ?? 5_000);
const ITEMS = Number(process.env.BENCH_RECS_ITEMS ?? 10_000);
const HOLDOUT = Number(process.env.BENCH_RECS_HOLDOUT ?? 5);
const SEED = Number(process.env.BENCH_RECS_SEED ?? 1);
const TOP = 10;

const CATEGORIES = [
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
const NICHES = CATEGORIES.length * 2;
const GENERAL_TAGS = Array.from({ length: 20 }, (_, i) => `general${i}`);
const IN_TASTE = 0.7;
const FROM_FOLLOWED = 0.15;
const DAY = 24 * 3600_000;
const START = Date.UTC(2031, 0, 1);
const DAYS = 60;

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
const random = prng(SEED);
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
const nicheTags = Array.from({ length: NICHES }, (_, n) => [0, 1, 2].map((k) => `niche${n}-${k}`));
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
for (const [i, item] of items.entries())
  channelItems.set(item.channelId, [...(channelItems.get(item.channelId) ?? []), i]);
const byChannel = new Map(
  [...channelItems].map(([channel, members]) => [
    channel,
    new Weighted(members, (i) => popularity[i] as number),
  ]),
);

// People: one or two niches, a few followed channels there, views spread over 60 days.
interface Generated {
  id: string;
  niches: number[];
  follows: string[];
  views: ViewInput[];
}
const people: Generated[] = [];
const perPerson = VIEWS / USERS;
let total = 0;
for (let u = 0; u < USERS && total < VIEWS; u++) {
  const first = int(NICHES);
  const niches = random() < 0.4 ? [first, (first + 1 + int(NICHES - 1)) % NICHES] : [first];
  const follows = [...new Set(Array.from({ length: 1 + int(3) }, () => pick(niches)))].map(
    (n) => items[byNiche[n]?.draw() ?? 0]?.channelId as string,
  );
  const count = Math.max(
    HOLDOUT + 3,
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

const training = people.flatMap((p) => p.views.slice(0, -HOLDOUT));
console.log(
  `${people.length.toLocaleString()} people, ${ITEMS.toLocaleString()} items in ${NICHES} niches, ` +
    `${total.toLocaleString()} views (${training.length.toLocaleString()} to learn from, ` +
    `the last ${HOLDOUT} of each person held out)`,
);

const buildStart = performance.now();
const model = buildModel(items, training);
const buildMs = performance.now() - buildStart;
const now = START + DAYS * DAY;

// The baseline: the most viewed items (in the views learnt from) that the person has not seen.
const viewers = new Map<string, number>();
for (const view of training) viewers.set(view.eventId, (viewers.get(view.eventId) ?? 0) + 1);
const mostViewed = [...viewers].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
function popular(seen: Set<string>): string[] {
  const list: string[] = [];
  for (const [id] of mostViewed) {
    if (list.length === TOP) break;
    if (!seen.has(id)) list.push(id);
  }
  return list;
}

const rankMs: number[] = [];
const quality = { ranking: { precision: 0, recall: 0 }, popular: { precision: 0, recall: 0 } };
const score = (which: keyof typeof quality, proposed: string[], heldOut: Set<string>) => {
  const hits = proposed.filter((id) => heldOut.has(id)).length;
  quality[which].precision += hits / TOP / people.length;
  quality[which].recall += hits / heldOut.size / people.length;
};
// Warm-up (the compiler's, not the model's: ranking is read-only), then every person.
for (const person of people.slice(0, 100))
  recommend(model, { watched: person.views, follows: person.follows }, now, TOP);
for (const person of people) {
  const known = person.views.slice(0, -HOLDOUT);
  const heldOut = new Set(person.views.slice(-HOLDOUT).map((v) => v.eventId));
  const start = performance.now();
  const ranked = recommend(
    model,
    {
      watched: known.map((v) => ({ eventId: v.eventId, seconds: v.seconds, at: v.at })),
      follows: person.follows,
    },
    now,
    TOP,
  );
  rankMs.push(performance.now() - start);
  score(
    "ranking",
    ranked.map((r) => r.eventId),
    heldOut,
  );
  score("popular", popular(new Set(known.map((v) => v.eventId))), heldOut);
}

const example = people[0] as Generated;
console.log(
  `\nfor ${example.id} (niches ${example.niches.join(", ")}; follows ${example.follows.join(", ")}):`,
);
for (const r of recommend(
  model,
  { watched: example.views.slice(0, -HOLDOUT), follows: example.follows },
  now,
  5,
)) {
  const item = items.find((i) => i.id === r.eventId) as ItemInput;
  console.log(
    `  ${r.eventId} niche ${niche[items.indexOf(item)]} ${item.category} ${r.score.toFixed(3)}  ${r.reason.text}`,
  );
}
console.log("");

const { ranking, popular: baseline } = quality;
printLine({
  name: `precision@${TOP} (${Math.round(total / 1000)}k views)`,
  figure: 100 * ranking.precision,
  baseline: 100 * baseline.precision,
  unit: "%",
  better: "higher",
  target: "ratio ≥ 1.5",
  met: ranking.precision / baseline.precision >= 1.5,
});
printLine({
  name: `recall@${TOP} (${Math.round(total / 1000)}k views)`,
  figure: 100 * ranking.recall,
  baseline: 100 * baseline.recall,
  unit: "%",
  better: "higher",
  target: "reported",
  met: "reported",
});
printLine({
  name: `model build (${Math.round(training.length / 1000)}k views)`,
  figure: buildMs,
  unit: "ms",
  better: "lower",
  target: "reported",
  met: "reported",
});
const ranks50 = summarize(rankMs);
printLine({
  name: "rank one person p50",
  figure: ranks50.p50,
  unit: "ms",
  better: "lower",
  target: "reported",
  met: "reported",
});
printLine({
  name: "rank one person p99",
  figure: ranks50.p99,
  unit: "ms",
  better: "lower",
  target: "reported",
  met: "reported",
  samples: { figure: rankMs },
});
