// Elasticsearch requests built from validated parameters (schemas.ts) and their answers turned
// into the API's shape. User text only ever reaches Elasticsearch as the `query` of a match
// query, which analyzes it as plain words: Lucene syntax in it means nothing.
import type { estypes } from "@elastic/elasticsearch";
import { posterOf, START_GRACE_MS } from "@stream-platform/shared/api";
import type { ChannelDocument, EventDocument } from "./documents.ts";
import type { SearchQuery, SuggestQuery } from "./schemas.ts";

/** Live events rank above others that match as well. */
export const LIVE_BOOST = { term: { status: { value: "live", boost: 3 } } };
export const NOT_CANCELLED = { term: { status: "cancelled" } };
const FACET_SIZE = 20;
const CHANNEL_HITS = 5;

/**
 * Scheduled events whose time passed (beyond the grace) without a stream: still "scheduled" in
 * the index, since nothing happened to them, but no longer upcoming. Derived at query time.
 */
export const didNotStart = (now: number): estypes.QueryDslQueryContainer => ({
  bool: {
    filter: [
      { term: { status: "scheduled" } },
      { range: { startsAt: { lt: new Date(now - START_GRACE_MS).toISOString() } } },
    ],
  },
});

/** A status asked for; "scheduled" (Upcoming) without those that did not start. */
const statusIs = (status: string, now: number): estypes.QueryDslQueryContainer =>
  status === "scheduled"
    ? { bool: { filter: [{ term: { status } }], must_not: [didNotStart(now)] } }
    : { term: { status } };

export function eventSearch(input: SearchQuery, now = Date.now()): estypes.SearchRequest {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (input.status)
    filter.push({
      bool: { should: input.status.map((s) => statusIs(s, now)), minimum_should_match: 1 },
    });
  if (input.category) filter.push({ term: { category: input.category } });
  // Every tag asked for must be there: each tag narrows the results.
  for (const tag of input.tags ?? []) filter.push({ term: { tags: tag } });
  if (input.ids) filter.push({ ids: { values: input.ids } });
  if (input.from || input.to)
    filter.push({
      range: {
        startsAt: { ...(input.from && { gte: input.from }), ...(input.to && { lte: input.to }) },
      },
    });
  const text: estypes.QueryDslQueryContainer = input.q
    ? {
        bool: {
          should: [
            {
              // Typo-tolerant on the prose: one typo in a short word, two in a long one.
              // (Fuzzy terms cost an automaton each, so only these two fields get them.)
              multi_match: {
                query: input.q,
                fields: ["title^3", "description"],
                fuzziness: "AUTO",
                prefix_length: 1,
                max_expansions: 20,
              },
            },
            {
              multi_match: { query: input.q, fields: ["tags^2", "channel.title^2", "category"] },
            },
          ],
          minimum_should_match: 1,
        },
      }
    : { match_all: {} };
  return {
    from: (input.page - 1) * input.size,
    size: input.size,
    track_total_hits: true,
    query: {
      bool: {
        must: [text],
        filter,
        // Cancelled events show only to whoever filters for them.
        must_not: input.status ? [] : [NOT_CANCELLED],
        should: [LIVE_BOOST],
      },
    },
    sort: input.sort === "newest" ? [{ startsAt: "desc" }] : ["_score", { startsAt: "asc" }],
    _source: { excludes: ["indexedAt"] },
    ...(input.q && {
      highlight: {
        // Escapes the text, so the only markup in a fragment is our <mark>.
        encoder: "html",
        pre_tags: ["<mark>"],
        post_tags: ["</mark>"],
        fields: {
          title: { number_of_fragments: 0 },
          description: { fragment_size: 160, number_of_fragments: 2 },
        },
      },
    }),
    aggs: {
      status: { terms: { field: "status", size: 4 } },
      // Counted out of "scheduled": the Upcoming facet counts what choosing it shows.
      didNotStart: { filter: didNotStart(now) },
      category: { terms: { field: "category", size: FACET_SIZE } },
      tags: { terms: { field: "tags", size: FACET_SIZE } },
    },
  };
}

export function channelSearch(q: string): estypes.SearchRequest {
  return {
    size: CHANNEL_HITS,
    query: {
      bool: {
        should: [
          { match: { title: { query: q, fuzziness: "AUTO" } } },
          { term: { slug: { value: q.toLowerCase(), boost: 2 } } },
        ],
        minimum_should_match: 1,
      },
    },
    _source: ["channelId", "slug", "title"],
  };
}

export function suggestSearch(input: SuggestQuery): estypes.SearchRequest {
  return {
    size: input.size,
    query: {
      bool: {
        // Every word typed is a prefix of a word of the title.
        must: [{ match: { "title.suggest": { query: input.q, operator: "and" } } }],
        must_not: [NOT_CANCELLED],
        should: [LIVE_BOOST],
      },
    },
    // One suggestion per distinct title.
    collapse: { field: "title.raw" },
    sort: ["_score", { startsAt: "asc" }],
    _source: ["eventId", "title", "status"],
  };
}

export interface Facet {
  value: string;
  count: number;
}

function facet(
  aggregations: Record<string, estypes.AggregationsAggregate> | undefined,
  name: string,
): Facet[] {
  const agg = aggregations?.[name] as estypes.AggregationsStringTermsAggregate | undefined;
  const buckets = Array.isArray(agg?.buckets) ? agg.buckets : [];
  return buckets.map((bucket) => ({ value: String(bucket.key), count: bucket.doc_count }));
}

const totalOf = (total: estypes.SearchTotalHits | number | undefined) =>
  typeof total === "number" ? total : (total?.value ?? 0);

/** The status facet, its "scheduled" without the events that did not start (not upcoming). */
function statusFacet(
  aggregations: Record<string, estypes.AggregationsAggregate> | undefined,
): Facet[] {
  const missed = (aggregations?.didNotStart as estypes.AggregationsFilterAggregate | undefined)
    ?.doc_count;
  return facet(aggregations, "status")
    .map((f) => (f.value === "scheduled" ? { ...f, count: f.count - (missed ?? 0) } : f))
    .filter((f) => f.count > 0)
    .sort((a, b) => b.count - a.count);
}

/** The events of an answer as the API lists them (search's hits, "More like this"). */
export const eventHits = (events: estypes.SearchResponse<EventDocument>) =>
  events.hits.hits.map((hit) => {
    const { eventId, posterPath, ...rest } = hit._source as EventDocument;
    return {
      id: eventId,
      ...rest,
      ...posterOf({ status: rest.status, posterPath }),
      ...(hit.highlight && {
        highlight: {
          ...(hit.highlight.title && { title: hit.highlight.title[0] }),
          ...(hit.highlight.description && { description: hit.highlight.description }),
        },
      }),
    };
  });

export function searchResult(
  input: SearchQuery,
  events: estypes.SearchResponse<EventDocument>,
  channels?: estypes.SearchResponse<ChannelDocument>,
) {
  return {
    total: totalOf(events.hits.total),
    page: input.page,
    size: input.size,
    hits: eventHits(events),
    facets: {
      status: statusFacet(events.aggregations),
      category: facet(events.aggregations, "category"),
      tags: facet(events.aggregations, "tags"),
    },
    channels: (channels?.hits.hits ?? []).map((hit) => {
      const source = hit._source as ChannelDocument;
      return { id: source.channelId, slug: source.slug, title: source.title };
    }),
  };
}

export function suggestResult(response: estypes.SearchResponse<EventDocument>) {
  return {
    suggestions: response.hits.hits.map((hit) => {
      const source = hit._source as EventDocument;
      return { title: source.title, eventId: source.eventId, status: source.status };
    }),
  };
}
