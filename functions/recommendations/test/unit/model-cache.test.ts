// The API's replica (replica.ts, model-cache.ts) from values, with a fake store and fake timers:
// a build equals buildModel; the change log is taken in idempotently; requests wait for the
// first build only, never for a look or a rebuild; a clearing reaches the person's list at the
// next look.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildModel, type ItemInput, type ViewInput } from "../../src/model.ts";
import { CLOCK_SLACK_MS, ModelCache, REBUILD_MS, REFRESH_MS } from "../../src/model-cache.ts";
import { recommend } from "../../src/rank.ts";
import { applyChanges, ReplicaBuilder } from "../../src/replica.ts";
import type { Change, ChangeDoc, StoreReader } from "../../src/store.ts";

const HOUR = 3_600_000;
const start = Date.UTC(2031, 2, 1);

const item = (id: string, channelId = "ch"): ItemInput => ({
  id,
  title: `Title ${id}`,
  channelId,
  tags: ["t"],
  category: "c",
  status: "ended",
  startsAt: start - 30 * 24 * HOUR,
});
const view = (personId: string, eventId: string, at: number, seconds = 600): ViewInput => ({
  personId,
  eventId,
  seconds,
  at,
});

const items = ["a", "b", "c", "d", "e"].map((id) => item(id));
const views: ViewInput[] = [];
for (let p = 0; p < 8; p++) {
  views.push(view(`p${p}`, "a", start - 10 * HOUR + p), view(`p${p}`, "b", start - 9 * HOUR + p));
  if (p % 2) views.push(view(`p${p}`, "c", start - 8 * HOUR + p, 10));
}
views.push(view("ada", "a", start - 5 * HOUR));

/** A store of these documents and a change log the test controls. */
function fakeStore(log: ChangeDoc[] = []) {
  const reads: number[] = [];
  let looks = 0;
  let pendingLook: (() => void) | undefined;
  let hold = false;
  return {
    log,
    reads,
    get looks() {
      return looks;
    },
    holdLooks(on: boolean) {
      hold = on;
      if (!on) pendingLook?.();
    },
    async readAll(into: StoreReader) {
      reads.push(Date.now());
      for (const { id, ...rest } of items) into.item({ _id: id, ...rest, version: 1 });
      for (const v of views)
        into.view({
          userId: v.personId,
          eventId: v.eventId,
          seconds: v.seconds,
          at: new Date(v.at),
        });
      into.follow({
        _id: "ada/ch",
        userId: "ada",
        channelId: "ch",
        following: true,
        at: new Date(0),
      });
    },
    async changesSince(since: Date) {
      looks += 1;
      if (hold) await new Promise<void>((resolve) => (pendingLook = resolve));
      return log.filter((c) => c.loggedAt > since);
    },
  };
}

const logged = (change: Change, at = Date.now()): ChangeDoc => ({
  ...change,
  loggedAt: new Date(at),
});

describe("the replica", () => {
  it("is built from the store's documents as buildModel builds from the same views", async () => {
    const builder = new ReplicaBuilder();
    await fakeStore().readAll(builder);
    const { model, people } = await builder.finish();
    const direct = buildModel(items, views);
    expect(model.views).toBe(direct.views);
    expect(model.epoch).toBe(direct.epoch);
    for (const one of direct.items) {
      const built = model.byId.get(one.id);
      expect([built?.viewers, built?.heat, [...(built?.coViews ?? [])]]).toEqual([
        one.viewers,
        one.heat,
        [...one.coViews].map(([idx, n]) => [model.byId.get(direct.items[idx]?.id ?? "")?.idx, n]),
      ]);
    }
    const ada = people.of("ada");
    expect(ada.follows).toEqual(["ch"]);
    expect(recommend(model, ada, start)).toEqual(
      recommend(direct, { watched: ada.watched, follows: ["ch"] }, start),
    );
  });

  it("takes in the change log once, however often an entry comes", async () => {
    const changes: Change[] = [
      { kind: "item", item: item("f"), version: 2 },
      { kind: "item", item: { ...item("f"), title: "old" }, version: 1 },
      { kind: "view", view: view("bo", "f", start) },
      { kind: "view", view: view("bo", "a", start + 1) },
      { kind: "cleared", userId: "ada", at: start },
    ];
    const once = new ReplicaBuilder();
    await fakeStore().readAll(once);
    const twice = new ReplicaBuilder();
    await fakeStore().readAll(twice);
    const [a, b] = [await once.finish(), await twice.finish()];
    applyChanges(a, changes);
    applyChanges(b, [...changes, ...changes.reverse()]);
    expect(a.model.byId.get("f")?.title).toBe("Title f");
    expect(b.model.byId.get("f")?.title).toBe("Title f");
    expect(b.model.views).toBe(a.model.views);
    expect(b.people.of("bo")).toEqual(a.people.of("bo"));
    expect(a.people.of("ada").watched).toEqual([]);
  });
});

describe("the model cache", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "Date"] });
    vi.setSystemTime(start);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits for the first build only; later requests never wait for a look", async () => {
    const store = fakeStore();
    const cache = new ModelCache(store, { pause: async () => {} });
    const [first, again] = await Promise.all([cache.current(), cache.current()]);
    expect(first).toBe(again);
    expect(store.reads).toHaveLength(1);

    store.holdLooks(true);
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(store.looks).toBe(1);
    // A look is under way and stays so: requests are answered from the replica in hand, and no
    // second look starts.
    await expect(cache.current()).resolves.toBe(first);
    await vi.advanceTimersByTimeAsync(REFRESH_MS * 3);
    expect(store.looks).toBe(1);
    store.holdLooks(false);
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(store.looks).toBe(2);
    cache.stop();
  });

  it("drops a cleared history from the person's own list at the next look", async () => {
    const store = fakeStore();
    const cache = new ModelCache(store, { pause: async () => {} });
    expect((await cache.current()).people.of("ada").watched).toHaveLength(1);
    // Logged by a sink whose clock is a little behind: still taken in.
    store.log.push(
      logged({ kind: "cleared", userId: "ada", at: Date.now() }, Date.now() - CLOCK_SLACK_MS / 2),
    );
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect((await cache.current()).people.of("ada").watched).toEqual([]);
    cache.stop();
  });

  it("rebuilds hourly in the background, catching the new replica up before it answers", async () => {
    const store = fakeStore();
    const cache = new ModelCache(store, { pause: async () => {} });
    const first = await cache.current();
    await vi.advanceTimersByTimeAsync(REBUILD_MS);
    expect(store.reads.length).toBe(2);
    store.log.push(logged({ kind: "view", view: view("bo", "e", Date.now()) }));
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    const rebuilt = await cache.current();
    expect(rebuilt).not.toBe(first);
    expect(rebuilt.people.of("bo").watched.map((w) => w.eventId)).toEqual(["e"]);
    cache.stop();
  });
});
