// "More like this" (GET /api/events/:id/related): the events most like one event, asked of the
// index that already holds every event's words. Like in what it says (Elasticsearch's
// more_like_this on title, description, tags and category), its category and tags weighing
// more, then its channel; live ones first among equals. Never the event itself, a cancelled
// one, or one that did not start.
import { type Client, errors, type estypes } from "@elastic/elasticsearch";
import { notFound } from "@stream-platform/shared";
import type { Aliases } from "./aliases.ts";
import type { EventDocument } from "./documents.ts";
import { didNotStart, eventHits, LIVE_BOOST, NOT_CANCELLED } from "./query.ts";
import type { RelatedQuery } from "./schemas.ts";

/**
 * A word in more than this share of the catalogue says little about what an event is like, and
 * matching on it scores most of the index (at 100,000 events a tiny vocabulary's words made each
 * list ~90 ms p99): such words are left out of the likeness (never below 100 events, so that a
 * small catalogue keeps every word).
 */
const COMMON_SHARE = 0.05;
export const commonAbove = (catalogue: number) =>
  Math.max(100, Math.ceil(catalogue * COMMON_SHARE));

export function relatedSearch(
  events: string,
  event: EventDocument,
  size: number,
  /** The catalogue's size (commonAbove); unknown: every word counts. */
  catalogue: number | undefined,
  now = Date.now(),
): estypes.SearchRequest {
  const alike: estypes.QueryDslQueryContainer[] = [
    {
      more_like_this: {
        fields: ["title", "description", "tags", "category"],
        like: [{ _index: events, _id: event.eventId }],
        // A catalogue's words are few per event: a word once is a word.
        min_term_freq: 1,
        min_doc_freq: 1,
        max_query_terms: 25,
        minimum_should_match: "1",
        ...(catalogue !== undefined && { max_doc_freq: commonAbove(catalogue) }),
      },
    },
    ...(event.category ? [{ term: { category: { value: event.category, boost: 2 } } }] : []),
    ...(event.tags?.length ? [{ terms: { tags: event.tags, boost: 1.5 } }] : []),
    { term: { channelId: { value: event.channelId, boost: 0.5 } } },
  ];
  return {
    size,
    query: {
      bool: {
        must: [{ bool: { should: alike, minimum_should_match: 1 } }],
        should: [LIVE_BOOST],
        must_not: [NOT_CANCELLED, didNotStart(now), { ids: { values: [event.eventId] } }],
      },
    },
    sort: ["_score", { startsAt: "desc" }],
    // Nobody reads the count: without it, hits that cannot make the list are skipped.
    track_total_hits: false,
    _source: { excludes: ["indexedAt"] },
  };
}

/**
 * The catalogue's size, counted at most once a minute (it only moves the cut-off above); while a
 * count fails, the last one, or none.
 */
let counted: { at: number; count: Promise<number | undefined> } | undefined;
function catalogueSize(es: Client, index: string): Promise<number | undefined> {
  if (!counted || counted.at < Date.now() - 60_000) {
    const last = counted?.count ?? Promise.resolve(undefined);
    counted = {
      at: Date.now(),
      count: es.count({ index }).then(
        (answer) => answer.count,
        () => {
          counted = undefined;
          return last;
        },
      ),
    };
  }
  return counted.count;
}

/** The events like `eventId`, as search lists its hits; 404 when the index has no such event. */
export async function related(es: Client, aliases: Aliases, input: RelatedQuery) {
  const event = await es
    .get<EventDocument>({ index: aliases.events, id: input.id })
    .catch((error: unknown) => {
      if (error instanceof errors.ResponseError && error.statusCode === 404) return undefined;
      throw error;
    });
  if (!event?._source) throw notFound(`no event ${input.id}`);
  const response = await es.search<EventDocument>({
    index: aliases.events,
    ...relatedSearch(
      aliases.events,
      event._source,
      input.size,
      await catalogueSize(es, aliases.events),
    ),
  });
  // Listed as search lists its hits (the same fields, the poster).
  return { items: eventHits(response) };
}
