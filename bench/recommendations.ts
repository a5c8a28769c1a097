// Benchmark (not a test): the quality of "For you" (functions/recommendations/src/rank.ts)
// offline, against a popularity baseline in the same run, and its cost. No servers.
//
// A generated audience with taste (bench/lib/audience.ts: niches, Zipf popularity, follows).
// Each person's last views are held out; both the ranking and the baseline (the most viewed
// items they have not seen) propose 10 items, and precision@10 and recall@10 count the
// held-out ones among them.
//   npm run bench:recommendations   (BENCH_RECS_VIEWS=100000, BENCH_RECS_USERS=5000,
//                                    BENCH_RECS_ITEMS=10000, BENCH_RECS_HOLDOUT=5, BENCH_RECS_SEED=1)
import { buildModel, type ItemInput } from "../functions/recommendations/src/model.ts";
import { recommend } from "../functions/recommendations/src/rank.ts";
import { DAY, DAYS, type GeneratedPerson, generateAudience, NICHES } from "./lib/audience.ts";
import { printLine, summarize } from "./lib/stats.ts";

const VIEWS = Number(process.env.BENCH_RECS_VIEWS ?? 100_000);
const USERS = Number(process.env.BENCH_RECS_USERS ?? 5_000);
const ITEMS = Number(process.env.BENCH_RECS_ITEMS ?? 10_000);
const HOLDOUT = Number(process.env.BENCH_RECS_HOLDOUT ?? 5);
const SEED = Number(process.env.BENCH_RECS_SEED ?? 1);
const TOP = 10;

const START = Date.UTC(2031, 0, 1);

const { items, niche, people, total } = generateAudience({
  views: VIEWS,
  people: USERS,
  items: ITEMS,
  minViews: HOLDOUT,
  seed: SEED,
  start: START,
});

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

const example = people[0] as GeneratedPerson;
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
