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

export function relatedSearch(
  events: string,
  event: EventDocument,
  size: number,
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
    _source: { excludes: ["indexedAt"] },
  };
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
    ...relatedSearch(aliases.events, event._source, input.size),
  });
  // Listed as search lists its hits (the same fields, the poster).
  return { items: eventHits(response) };
}
