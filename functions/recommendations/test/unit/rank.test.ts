// "For you" ranked from values (no server): co-watching, category affinity, what is left out,
// follows and live boosts, reasons, cold start, determinism, and a model fed one record at a
// time equal to one built at once.
import { describe, expect, it } from "vitest";
import {
  addView,
  buildModel,
  COUNTED_VIEW_SECONDS,
  createModel,
  type ItemInput,
  type Model,
  upsertItem,
  type ViewInput,
} from "../../src/model.ts";
import { type Person, recommend } from "../../src/rank.ts";

const HOUR = 3600_000;
const now = Date.UTC(2031, 2, 1);
const at = (hoursAgo: number) => now - hoursAgo * HOUR;

const item = (id: string, change: Partial<ItemInput> = {}): ItemInput => ({
  id,
  title: `Title ${id}`,
  channelId: "ch-other",
  tags: [],
  status: "ended",
  startsAt: at(24 * 30),
  ...change,
});
const view = (personId: string, eventId: string, hoursAgo = 48, seconds = 1800): ViewInput => ({
  personId,
  eventId,
  seconds,
  at: at(hoursAgo),
});
const person = (eventIds: string[], follows: string[] = []): Person => ({
  watched: eventIds.map((eventId, i) => ({ eventId, seconds: 1800, at: at(10 + i) })),
  follows,
});
const ids = (model: Model, who: Person, limit = 10) =>
  recommend(model, who, now, limit).map((r) => r.eventId);

/** Ten people watched x and y; "hit" is watched by more people, but never with x. */
function coWatched(): Model {
  const items = ["x", "y", "hit", "z"].map((id) => item(id));
  const views: ViewInput[] = [];
  for (let p = 0; p < 10; p++) views.push(view(`a${p}`, "x", 50), view(`a${p}`, "y", 49));
  for (let p = 0; p < 30; p++) views.push(view(`b${p}`, "hit", 40), view(`b${p}`, "z", 39));
  return buildModel(items, views);
}

describe("co-watching", () => {
  it("puts what the viewers of X also watched first, with the reason", () => {
    const [first] = recommend(coWatched(), person(["x"]), now);
    expect(first).toMatchObject({
      eventId: "y",
      reason: { kind: "watched", eventId: "x", text: "Because you watched Title x" },
    });
  });

  it("ranks the most watched first for someone with no history (trending), lately first", () => {
    const ranked = recommend(coWatched(), person([]), now);
    expect(ranked.map((r) => r.eventId)).toEqual(["z", "hit", "y", "x"]);
    expect(ranked[0]?.reason).toEqual({ kind: "trending", text: "Trending now" });
  });

  it("counts a view only from COUNTED_VIEW_SECONDS, and once per person", () => {
    const model = createModel(at(100));
    upsertItem(model, item("x"));
    expect(addView(model, view("p", "x", 5, COUNTED_VIEW_SECONDS - 1))).toBe(false);
    expect(addView(model, view("p", "x", 5, COUNTED_VIEW_SECONDS))).toBe(true);
    expect(addView(model, view("p", "x", 4, 3000))).toBe(false);
    expect(model.byId.get("x")?.viewers).toBe(1);
  });
});

describe("affinity", () => {
  it("prefers the category and tags of what the person watched, more so what they watched long", () => {
    const items = [
      item("chess1", { category: "Games", tags: ["chess"] }),
      item("chess2", { category: "Games", tags: ["chess"] }),
      item("cook1", { category: "Cooking", tags: ["pasta"] }),
      item("cook2", { category: "Cooking", tags: ["pasta"] }),
    ];
    // cook2 is the more popular; nobody watched two of them, so no co-watching.
    const views = [view("a", "chess2", 30), view("b", "cook2", 30), view("c", "cook2", 30)];
    const model = buildModel(items, views);
    const gamer: Person = {
      watched: [
        { eventId: "chess1", seconds: 3600, at: at(5) },
        { eventId: "cook1", seconds: 60, at: at(5) },
      ],
      follows: [],
    };
    const ranked = recommend(model, gamer, now);
    expect(ranked.map((r) => r.eventId)).toEqual(["chess2", "cook2"]);
    expect(ranked[0]?.reason.kind).toMatch(/^(category|tag)$/);
    expect(ranked[0]?.reason.text).toMatch(/^Because you watch (Games|#chess)$/);
  });
});

describe("what is left out", () => {
  it("never proposes what the person watched (finished or not), cancelled or stale events", () => {
    const items = [
      item("done"),
      item("half"),
      item("new"),
      item("gone", { status: "cancelled" }),
      item("never-started", { status: "scheduled", startsAt: at(2) }),
      item("far-ahead", { status: "scheduled", startsAt: now + 60 * 24 * HOUR }),
    ];
    const views = ["done", "half", "new", "gone", "never-started", "far-ahead"].map((id, i) =>
      view(`p${i}`, id),
    );
    const model = buildModel(items, views);
    const who: Person = {
      watched: [
        { eventId: "done", seconds: 3600, at: at(3) },
        { eventId: "half", seconds: 40, at: at(3) },
      ],
      follows: ["ch-other"],
    };
    expect(ids(model, who)).toEqual(["new"]);
  });

  it("leaves out items known only from views until their snapshot arrives", () => {
    const model = createModel(at(100));
    addView(model, view("p", "unknown"));
    expect(ids(model, person([]))).toEqual([]);
    upsertItem(model, item("unknown"));
    expect(ids(model, person([]))).toEqual(["unknown"]);
  });
});

describe("boosts", () => {
  const items = [
    item("plain"),
    item("followed", { channelId: "ch-fav" }),
    item("live", { status: "live" }),
    item("followed-live", { channelId: "ch-fav", status: "live" }),
    item("upcoming", { channelId: "ch-fav", status: "scheduled", startsAt: now + 24 * HOUR }),
  ];
  // Equally popular, so only the boosts tell them apart.
  const views = ["plain", "followed", "live", "followed-live"].map((id) => view("p", id));
  const model = buildModel(items, views);

  it("ranks live and followed channels' items above the same item otherwise", () => {
    const ranked = recommend(model, person([], ["ch-fav"]), now);
    expect(ranked.map((r) => r.eventId)).toEqual([
      "followed-live",
      "live",
      "followed",
      "plain",
      "upcoming",
    ]);
    expect(ranked.map((r) => r.reason.text)).toEqual([
      "Live now from a channel you follow",
      "Live now",
      "From a channel you follow",
      "Trending now",
      "Coming up on a channel you follow",
    ]);
  });

  it("offers scheduled events of channels the person does not follow to nobody", () => {
    expect(ids(model, person([]))).not.toContain("upcoming");
  });
});

describe("determinism", () => {
  it("answers the same list for the same model, person and time, equal scores by id", () => {
    const model = buildModel(
      ["c", "a", "b"].map((id) => item(id)),
      [],
    );
    expect(ids(model, person([]))).toEqual(["a", "b", "c"]);
    const busy = coWatched();
    expect(recommend(busy, person(["x", "hit"]), now)).toEqual(
      recommend(busy, person(["x", "hit"]), now),
    );
  });
});

describe("incremental updates", () => {
  it("give the same model as building it at once, snapshots before, between or after views", () => {
    const items = Array.from({ length: 30 }, (_, i) =>
      item(`e${i}`, {
        category: ["A", "B", "C"][i % 3],
        tags: [`t${i % 5}`],
        channelId: `ch${i % 4}`,
      }),
    );
    const views: ViewInput[] = [];
    for (let p = 0; p < 40; p++)
      for (let k = 0; k < 6; k++)
        views.push(view(`p${p}`, `e${(p * 7 + k * (1 + (p % 3))) % 30}`, 200 - p - k * 30));
    const batch = buildModel(items, views, at(500));

    // The same records as a sink gets them: views in time order, each item's snapshot some
    // time after its first views (and one update of a snapshot on the way).
    const live = createModel(at(500));
    const ordered = [...views].sort((a, b) => a.at - b.at || (a.personId < b.personId ? -1 : 1));
    upsertItem(live, { ...items[0], title: "old title", category: "Z" } as ItemInput);
    for (const [n, v] of ordered.entries()) {
      addView(live, v);
      if (n % 8 === 7) for (const i of items.slice(0, (n + 1) / 8)) upsertItem(live, i);
    }
    for (const i of items) upsertItem(live, i);

    const rows = (model: Model) =>
      [...model.byId.values()]
        .map((it) => ({
          id: it.id,
          viewers: it.viewers,
          heat: it.heat,
          coViews: [...it.coViews]
            .map(([o, c]) => [model.items[o]?.id, c])
            .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        }))
        .sort((a, b) => a.id.localeCompare(b.id));
    expect(rows(live)).toEqual(rows(batch));
    const someone = person(["e1", "e8"], ["ch2"]);
    expect(
      recommend(live, someone, now).map(({ eventId, reason }) => ({ eventId, reason })),
    ).toEqual(recommend(batch, someone, now).map(({ eventId, reason }) => ({ eventId, reason })));
    expect(ids(live, person([]), 30)).toEqual(ids(batch, person([]), 30));
  });

  it("keeps the ranking's columns of heat and viewers as the items grow past their length", () => {
    const model = createModel(at(500));
    for (let n = 0; n < 2500; n++) {
      upsertItem(model, item(`e${n}`));
      for (let p = 0; p <= n % 3; p++) addView(model, view(`p${p}`, `e${n}`, 400 - n / 10));
    }
    const columns = model.items.map((it) => [model.heats[it.idx], model.viewerCounts[it.idx]]);
    expect(columns).toEqual(model.items.map((it) => [it.heat, it.viewers]));
    expect(model.viewerCounts[2498]).toBe(3);
  });
});
