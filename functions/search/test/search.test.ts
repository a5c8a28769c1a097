// The search function against the real Elasticsearch: through the edge and Kafka for indexing
// and the API, and in-process for the reindex (on aliases of its own).
import { randomBytes } from "node:crypto";
import { createEvent } from "@stream-platform/shared";
import { createElasticsearch } from "@stream-platform/shared/elasticsearch";
import {
  api,
  newUser,
  postToIngress,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aliasNames } from "../src/aliases.ts";
import { bulkWrite } from "../src/bulk.ts";
import { aliasTargets, ensureAlias, reindex } from "../src/indices.ts";
import { channelsIndex, eventsIndex, type IndexBody } from "../src/mappings.ts";
import { searchQuery } from "../src/schemas.ts";
import { Search, type SearchResult } from "../src/search.ts";
import { BulkWriter } from "../src/writer.ts";

interface VideoEvent {
  id: string;
  channelId: string;
  title: string;
  status: string;
  startsAt: string;
  version: number;
  tags: string[];
  category?: string;
  description: string;
}

type Hit = SearchResult["hits"][number];

/** A made-up word no other test uses: letters only, so the analyzers keep it whole. */
const word = () =>
  `zq${Array.from(randomBytes(8), (byte) => String.fromCharCode(97 + (byte % 26))).join("")}`;

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

let owner: TestUser;
let channelId: string;
let channelWord: string;

async function schedule(body: Record<string, unknown>): Promise<VideoEvent> {
  const created = await api<VideoEvent>("/api/events", {
    token: owner.token,
    body: { channelId, startsAt: inDays(3), ...body },
  });
  expect(created.status).toBe(201);
  return created.body;
}

async function search(query: string) {
  return api<SearchResult>(`/api/search?${query}`);
}

/** Polls the search API until `done` holds for its answer (the index refreshes every second). */
const searchUntil = (query: string, done: (result: SearchResult) => boolean, timeoutMs = 10_000) =>
  until(
    `search ${query} to settle`,
    async () => {
      const response = await search(query);
      expect(response.status).toBe(200);
      return done(response.body) ? response.body : undefined;
    },
    timeoutMs,
    100,
  );

const ids = (hits: Hit[]) => hits.map((hit) => hit.id).sort();

beforeAll(async () => {
  owner = await newUser("searcher");
  channelWord = word();
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug(), title: `The ${channelWord} channel` },
  });
  expect(channel.status).toBe(201);
  channelId = channel.body.id;
});

describe("indexing through Kafka", () => {
  it("finds an event created through /api/events (bench:search measures how fast), also with a one-letter typo", async () => {
    const w = word();
    const event = await schedule({
      title: `Night ${w} concert`,
      description: "Strings and <b>brass</b>",
    });
    const found = await searchUntil(`q=${w}`, (r) => r.total > 0);
    expect(found.hits.map((hit) => hit.id)).toEqual([event.id]);
    const hit = found.hits[0];
    expect(hit?.highlight?.title).toBe(`Night <mark>${w}</mark> concert`);
    expect(hit?.channel?.title).toBe(`The ${channelWord} channel`);

    // One letter replaced in the middle of the word.
    const typo = `${w.slice(0, 5)}${w[5] === "x" ? "y" : "x"}${w.slice(6)}`;
    const fuzzy = await search(`q=${typo}`);
    expect(fuzzy.body.hits.map((hit) => hit.id)).toContain(event.id);

    // Suggestions as the title is typed, and the channel by its title.
    const suggest = await api<{ suggestions: { title: string; eventId: string }[] }>(
      `/api/search/suggest?q=${encodeURIComponent(`night ${w.slice(0, 4)}`)}`,
    );
    expect(suggest.status).toBe(200);
    expect(suggest.body.suggestions.map((s) => s.eventId)).toContain(event.id);
    // The channel's own document comes from channel.created, on a topic of its own.
    const byChannel = await searchUntil(`q=${channelWord}`, (r) => r.channels.length > 0);
    expect(byChannel.channels.map((c) => c.id)).toEqual([channelId]);
  });

  it("filters and facets agree with the data", async () => {
    const tag = word();
    const [jazz, choir, match] = await Promise.all([
      schedule({
        title: "Jazz night",
        category: "music",
        tags: [tag, "jazz"],
        startsAt: inDays(1),
      }),
      schedule({ title: "Choir evening", category: "music", tags: [tag], startsAt: inDays(2) }),
      schedule({ title: "Cup final", category: "Sport", tags: [tag], startsAt: inDays(5) }),
    ]);
    const all = await searchUntil(`tags=${tag}`, (r) => r.total === 3);
    expect(ids(all.hits)).toEqual(ids([jazz, choir, match] as unknown as Hit[]));
    expect(all.facets.category).toEqual([
      { value: "music", count: 2 },
      { value: "sport", count: 1 },
    ]);
    expect(all.facets.status).toEqual([{ value: "scheduled", count: 3 }]);
    expect(all.facets.tags).toEqual(
      expect.arrayContaining([
        { value: tag, count: 3 },
        { value: "jazz", count: 1 },
      ]),
    );

    const music = await search(`tags=${tag}&category=Music`);
    expect(ids(music.body.hits)).toEqual(ids([jazz, choir] as unknown as Hit[]));
    const both = await search(`tags=${tag},jazz`);
    expect(ids(both.body.hits)).toEqual([jazz.id]);
    const window = await search(
      `tags=${tag}&from=${encodeURIComponent(inDays(1.5))}&to=${encodeURIComponent(inDays(4))}`,
    );
    expect(ids(window.body.hits)).toEqual([choir.id]);
    const paged = await search(`tags=${tag}&size=2&page=2`);
    expect(paged.body.total).toBe(3);
    expect(paged.body.hits).toHaveLength(1);
    const none = await search(`tags=${tag}&status=live`);
    expect(none.body.total).toBe(0);
  });

  it("boosts live events above scheduled ones that match as well", async () => {
    const w = word();
    const later = await schedule({ title: `${w} rehearsal`, startsAt: inDays(1) });
    const live = await schedule({ title: `${w} rehearsal`, startsAt: inDays(9) });
    const patched = await api(`/api/events/${live.id}`, {
      method: "PATCH",
      token: owner.token,
      body: { status: "live" },
    });
    expect(patched.status).toBe(200);
    const result = await searchUntil(`q=${w}`, (r) => r.hits.some((h) => h.status === "live"));
    expect(result.hits.map((hit) => hit.id)).toEqual([live.id, later.id]);
  });

  it("drops a cancelled event from default results, and shows it to whoever asks for it", async () => {
    const w = word();
    const event = await schedule({ title: `${w} workshop` });
    await searchUntil(`q=${w}`, (r) => r.total === 1);
    const cancelled = await api(`/api/events/${event.id}`, {
      method: "DELETE",
      token: owner.token,
    });
    expect(cancelled.status).toBe(200);
    await searchUntil(`q=${w}`, (r) => r.total === 0);
    const asked = await search(`q=${w}&status=cancelled`);
    expect(asked.body.hits.map((hit) => [hit.id, hit.status])).toEqual([[event.id, "cancelled"]]);
    const suggest = await api<{ suggestions: unknown[] }>(`/api/search/suggest?q=${w}`);
    expect(suggest.body.suggestions).toEqual([]);
  });

  it("leaves an event whose time passed without a stream out of Upcoming (status=scheduled) and its count (#24 item 6)", async () => {
    const w = word();
    const upcoming = await schedule({ title: `${w} upcoming talk`, startsAt: inDays(1) });
    // The API refuses a start in the past: the event's snapshot comes as the events function
    // would have announced it when it was scheduled, two hours before now.
    const eventId = `evt_${randomBytes(10).toString("hex")}`;
    const created = createEvent({
      type: "streamplatform.event.created",
      source: "/tests/search",
      subject: eventId,
      data: {
        eventId,
        channelId,
        title: `${w} missed talk`,
        description: "",
        tags: [],
        startsAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
        status: "scheduled" as const,
        version: 1,
      },
    });
    expect(await postToIngress(created)).toBe(202);
    const all = await searchUntil(`q=${w}`, (r) => r.total === 2);
    // Still found (its card says it did not start), but not counted as upcoming...
    expect(all.facets.status).toEqual([{ value: "scheduled", count: 1 }]);
    // ...nor listed as upcoming.
    const asked = await search(`q=${w}&status=scheduled`);
    expect(asked.body.hits.map((hit) => hit.id)).toEqual([upcoming.id]);
    expect(asked.body.total).toBe(1);
    const either = await search(`q=${w}&status=scheduled,live`);
    expect(either.body.hits.map((hit) => hit.id)).toEqual([upcoming.id]);
  });

  it("indexes an event ended because its stream was lost (event.ended's reason is news, not a field), and what follows it", async () => {
    const w = word();
    const event = await schedule({ title: `${w} lost stream` });
    const ended = createEvent({
      type: "streamplatform.event.ended",
      source: "/tests/search",
      subject: event.id,
      data: {
        eventId: event.id,
        channelId,
        title: event.title,
        startsAt: event.startsAt,
        status: "ended" as const,
        version: event.version + 1,
        reason: "lost" as const,
      },
    });
    expect(await postToIngress(ended)).toBe(202);
    // The index's mapping is strict: a `reason` field would have been refused, and the indexer
    // would have retried that record while everything behind it waited.
    const found = await searchUntil(`q=${w}&status=ended`, (r) => r.total === 1);
    expect(found.hits[0]?.id).toBe(event.id);
    const next = await schedule({ title: `${w} next one` });
    await searchUntil(`q=${w}`, (r) => r.hits.some((hit) => hit.id === next.id));
  });

  it("never lets an older event.updated overwrite a newer title", async () => {
    const w = word();
    const event = await schedule({ title: `${w} first title` });
    const patched = await api<VideoEvent>(`/api/events/${event.id}`, {
      method: "PATCH",
      token: owner.token,
      body: { title: `${w} newer title` },
    });
    expect(patched.status).toBe(200);
    await searchUntil(`q=${w}`, (r) => r.hits[0]?.title === `${w} newer title`);

    const snapshot = (version: number, title: string, tags: string[]) => ({
      eventId: event.id,
      channelId,
      title,
      tags,
      startsAt: event.startsAt,
      status: "scheduled" as const,
      version,
    });
    const post = async (data: ReturnType<typeof snapshot>) => {
      const update = createEvent({
        type: "streamplatform.event.updated",
        source: "/tests/search",
        subject: event.id,
        data,
      });
      expect(await postToIngress(update)).toBe(202);
    };
    // A stale snapshot, delivered late (and twice), then a newer one on the same key: the key's
    // order means the stale ones were handled once the newer is visible.
    await post(snapshot(event.version, `${w} stale title`, []));
    await post(snapshot(event.version, `${w} stale title`, []));
    await post(snapshot(patched.body.version + 1, `${w} newer title`, ["marker"]));
    const settled = await searchUntil(
      `q=${w}`,
      (r) => r.hits[0]?.tags?.includes("marker") ?? false,
    );
    expect(settled.hits.map((hit) => hit.title)).toEqual([`${w} newer title`]);
  });
});

describe("a list of events by id (ids=: a ranking made elsewhere, such as trending)", () => {
  it("finds exactly the events named, and refuses what is not an event id", async () => {
    const w = word();
    const [first, second] = await Promise.all([
      schedule({ title: `${w} one` }),
      schedule({ title: `${w} two` }),
      schedule({ title: `${w} three` }),
    ]);
    await searchUntil(`q=${w}`, (r) => r.total === 3);
    const named = await search(`ids=${first.id},${second.id}&size=50`);
    expect(ids(named.body.hits)).toEqual(ids([first, second] as unknown as Hit[]));
    const refused = await api<{ errors: { field: string }[] }>("/api/search?ids=evt_1,nope");
    expect(refused.status).toBe(400);
    // Each id that is none, named by its place in the list.
    expect(refused.body.errors.map((e) => e.field)).toEqual(["ids.0", "ids.1"]);
  });
});

describe("more like this (GET /api/events/:id/related, through the edge to search)", () => {
  const related = (id: string, query = "") =>
    api<{ items: Hit[] }>(`/api/events/${id}/related${query}`);

  it("lists the events like one, the closest first: never itself, a cancelled one or one unlike it", async () => {
    const [w1, w2, tag, category] = [word(), word(), word(), word()];
    const [seed, twin, cousin, gone] = await Promise.all([
      schedule({ title: `${w1} ${w2} masterclass`, category, tags: [tag] }),
      // Its words, its category and its tag.
      schedule({ title: `${w1} ${w2} workshop`, category, tags: [tag] }),
      // Its tag only.
      schedule({ title: `Evening ${word()}`, tags: [tag] }),
      schedule({ title: `${w1} ${w2} masterclass again`, category, tags: [tag] }),
    ]);
    // Unlike it in every word, and on another channel.
    const stranger = await newUser("stranger");
    const other = await api<{ id: string }>("/api/channels", {
      token: stranger.token,
      body: { slug: uniqueSlug(), title: `${word()} ${word()}` },
    });
    const unlike = await api<VideoEvent>("/api/events", {
      token: stranger.token,
      body: { channelId: other.body.id, title: `${word()} ${word()}`, startsAt: inDays(3) },
    });
    expect(unlike.status).toBe(201);
    const cancelled = await api(`/api/events/${gone.id}`, { method: "DELETE", token: owner.token });
    expect(cancelled.status).toBe(200);
    await searchUntil(`tags=${tag}`, (r) => r.total === 3);
    await searchUntil(`q=${unlike.body.title}`, (r) => r.total > 0);

    const answer = await until(
      "the related events to settle",
      async () => {
        const list = await related(seed.id);
        expect(list.status).toBe(200);
        return list.body.items.some((hit) => hit.id === cousin.id) ? list : undefined;
      },
      10_000,
      100,
    );
    const listed = answer.body.items.map((hit) => hit.id);
    expect(listed[0]).toBe(twin.id);
    expect(listed.indexOf(cousin.id)).toBeGreaterThan(0);
    for (const never of [seed.id, gone.id, unlike.body.id]) expect(listed).not.toContain(never);
    // Listed as search lists: the fields a card shows.
    expect(answer.body.items[0]).toMatchObject({ id: twin.id, title: twin.title, channelId });
    expect(answer.headers.get("cache-control")).toBe("public, max-age=30");
    expect((await related(seed.id, "?size=1")).body.items.map((hit) => hit.id)).toEqual([twin.id]);
  });

  it("answers 404 for an event it does not know, 400 naming the parameter for a malformed one", async () => {
    const unknown = await related("evt_0123456789abcdef");
    expect(unknown.status).toBe(404);
    for (const [path, field] of [
      ["not-an-id/related", "id"],
      [`evt_0123456789abcdef/related?size=0`, "size"],
      [`evt_0123456789abcdef/related?size=25`, "size"],
    ] as const) {
      const refused = await api<{ errors?: { field: string }[] }>(`/api/events/${path}`);
      expect(refused.status, path).toBe(400);
      expect(refused.headers.get("content-type")).toContain("application/problem+json");
      expect(
        refused.body.errors?.map((e) => e.field),
        path,
      ).toEqual([field]);
    }
  });
});

describe("hostile input", () => {
  const problem = async (path: string, field: string) => {
    const response = await api<{ errors: { field: string }[] }>(path);
    expect(response.status, path).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const fields = response.body.errors.map((e) => e.field);
    expect(
      fields.some((f) => f === field || f.startsWith(`${field}.`)),
      `${path}: ${fields}`,
    ).toBe(true);
  };

  it("treats Lucene syntax as plain words", async () => {
    for (const q of [
      'title:(a OR b) AND "x"~2',
      "*:*",
      "\\/[{}]^~!&|?*",
      "status:cancelled",
      "<script>alert(1)</script>",
      '{"query":{"match_all":{}}}',
    ]) {
      const response = await search(`q=${encodeURIComponent(q)}`);
      expect(response.status, q).toBe(200);
      const suggest = await api(`/api/search/suggest?q=${encodeURIComponent(q)}`);
      expect(suggest.status, q).toBe(200);
    }
    // `*:*` would match everything as a query string; as words it matches nothing.
    const star = await search("q=*:*");
    expect(star.body.total).toBe(0);
  });

  it("pages through results, and sorts newest first when asked (the web's pages and 'see all')", async () => {
    const tag = word();
    const made = await Promise.all(
      [1, 2, 3, 4, 5].map((days) =>
        schedule({ title: `Page ${days}`, tags: [tag], startsAt: inDays(days) }),
      ),
    );
    await searchUntil(`tags=${tag}`, (r) => r.total === 5);
    const [first, second, third] = await Promise.all(
      [1, 2, 3].map((page) => search(`tags=${tag}&size=2&page=${page}&sort=newest`)),
    );
    const newest = [...made].reverse().map((event) => event.id);
    expect(first?.body.hits.map((hit) => hit.id)).toEqual(newest.slice(0, 2));
    expect(second?.body.hits.map((hit) => hit.id)).toEqual(newest.slice(2, 4));
    expect(third?.body.hits.map((hit) => hit.id)).toEqual(newest.slice(4));
    expect(third?.body).toMatchObject({ total: 5, page: 3, size: 2 });
    // The default: soonest first.
    const soonest = await search(`tags=${tag}&size=5`);
    expect(soonest.body.hits.map((hit) => hit.id)).toEqual(made.map((event) => event.id));
  });

  it("refuses oversized and out-of-range parameters with 400 naming the field", async () => {
    const long = "a".repeat(10_000);
    await problem(`/api/search?q=${long}`, "q");
    await problem(`/api/search/suggest?q=${long}`, "q");
    await problem("/api/search?size=-1", "size");
    await problem("/api/search?size=1000", "size");
    await problem("/api/search?page=0", "page");
    await problem("/api/search?page=5000&size=50", "page");
    await problem("/api/search?size=abc", "size");
    await problem("/api/search?status=deleted", "status");
    await problem("/api/search?sort=oldest", "sort");
    await problem("/api/search?from=yesterday", "from");
    await problem(`/api/search?from=${inDays(2)}&to=${inDays(1)}`, "to");
    await problem(
      `/api/search?tags=${Array.from({ length: 11 }, (_, i) => `t${i}`).join(",")}`,
      "tags",
    );
    await problem("/api/search?q=a%00b", "q");
    await problem("/api/search/suggest", "q");
    await problem("/api/search/suggest?q=", "q");
  });
});

describe("reindex", () => {
  const es = createElasticsearch("search-test");
  const aliases = aliasNames(`test-${randomBytes(4).toString("hex")}-`);
  const searchAliases = new Search(es, aliases);

  /** Yesterday's mapping: the same, without the suggestion sub-field. */
  const oldMapping = (): IndexBody => {
    const body = eventsIndex();
    const properties = structuredClone(body.mappings?.properties ?? {});
    const title = properties.title as { fields?: Record<string, unknown> };
    delete title.fields?.suggest;
    return { ...body, mappings: { ...body.mappings, properties } };
  };

  afterAll(async () => {
    await es.indices
      .delete({ index: [`${aliases.events}-*`, `${aliases.channels}-*`] })
      .catch(() => undefined);
    await es.close();
  });

  it("moves to a new mapping while search keeps answering", async () => {
    const w = word();
    await ensureAlias(es, { alias: aliases.events, body: oldMapping });
    await ensureAlias(es, { alias: aliases.channels, body: channelsIndex });
    const doc = (i: number) => ({
      eventId: `evt_reindex${String(i).padStart(6, "0")}`,
      channelId,
      title: `${w} session ${i}`,
      status: "scheduled",
      startsAt: inDays(1),
      version: 1,
      indexedAt: new Date().toISOString(),
    });
    await bulkWrite(
      es,
      Array.from({ length: 3000 }, (_, i) => ({
        index: aliases.events,
        id: doc(i).eventId,
        version: 1,
        document: doc(i),
      })),
      { requireAlias: true },
    );
    await es.indices.refresh({ index: aliases.events });
    const [before] = await aliasTargets(es, aliases.events);

    // Search in a loop while the reindex runs, and keep writing through the alias.
    const input = searchQuery.parse({ q: w, size: "1" });
    const answers: number[] = [];
    const failures: unknown[] = [];
    let reindexing = true;
    const searching = (async () => {
      while (reindexing) {
        await searchAliases.events(input).then(
          (result) => answers.push(result.total),
          (error: unknown) => failures.push(error),
        );
      }
    })();
    const writer = new BulkWriter(es);
    let writtenDuring = 0;
    const writing = (async () => {
      while (reindexing) {
        const i = 3000 + writtenDuring;
        await writer.write({
          index: aliases.events,
          id: doc(i).eventId,
          version: 1,
          document: doc(i),
        });
        writtenDuring += 1;
      }
    })();
    const report = await reindex(es, { alias: aliases.events, body: eventsIndex });
    reindexing = false;
    await Promise.all([searching, writing]);

    expect(report.from).toEqual([before]);
    expect(report.to).not.toBe(before);
    expect(report.copied).toBeGreaterThanOrEqual(3000);
    expect(failures).toEqual([]);
    expect(answers.length).toBeGreaterThan(5);
    expect(Math.min(...answers)).toBeGreaterThanOrEqual(3000);
    expect(await aliasTargets(es, aliases.events)).toEqual([report.to]);
    expect(await es.indices.exists({ index: before ?? "" })).toBe(false);

    // Every document written during the reindex made it, and the new mapping is in use.
    await es.indices.refresh({ index: aliases.events });
    const written = await es.count({ index: aliases.events });
    expect(writtenDuring).toBeGreaterThan(0);
    expect(written.count).toBe(3000 + writtenDuring);
    const suggest = await searchAliases.suggest({ q: `${w} sess`, size: 10 });
    expect(suggest.suggestions.length).toBeGreaterThan(0);
  });
});
