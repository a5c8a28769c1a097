// Running the searches: events (and, for a text query, matching channels in the same round
// trip) and title suggestions, against the aliases.
import { type Client, errors, type estypes } from "@elastic/elasticsearch";
import type { Aliases } from "./aliases.ts";
import type { ChannelDocument, EventDocument } from "./documents.ts";
import { channelSearch, eventSearch, searchResult, suggestResult, suggestSearch } from "./query.ts";
import { related } from "./related.ts";
import type { RelatedQuery, SearchQuery, SuggestQuery } from "./schemas.ts";

export type SearchResult = ReturnType<typeof searchResult>;
export type SuggestResult = ReturnType<typeof suggestResult>;

/** The msearch body a search sends: exposed so the benchmark can send the same one directly. */
export function searchBody(aliases: Aliases, input: SearchQuery): estypes.MsearchRequest {
  return {
    searches: [
      { index: aliases.events },
      eventSearch(input) as estypes.MsearchMultisearchBody,
      ...(input.q
        ? [{ index: aliases.channels }, channelSearch(input.q) as estypes.MsearchMultisearchBody]
        : []),
    ],
  };
}

export class Search {
  constructor(
    private readonly es: Client,
    readonly aliases: Aliases,
  ) {}

  async events(input: SearchQuery): Promise<SearchResult> {
    const response = await this.es.msearch<EventDocument | ChannelDocument>(
      searchBody(this.aliases, input),
    );
    const [events, channels] = response.responses.map((item) => {
      // A failed search inside msearch comes back as an item, not as an exception.
      // Thrown as the client would, so an overloaded node still reads as "unavailable" (503).
      if ("error" in item) {
        throw new errors.ResponseError({
          body: item,
          statusCode: item.status,
          headers: {},
          warnings: null,
          meta: {} as never,
        });
      }
      return item;
    });
    return searchResult(
      input,
      events as estypes.SearchResponse<EventDocument>,
      channels as estypes.SearchResponse<ChannelDocument> | undefined,
    );
  }

  related(input: RelatedQuery) {
    return related(this.es, this.aliases, input);
  }

  async suggest(input: SuggestQuery): Promise<SuggestResult> {
    const response = await this.es.search<EventDocument>({
      index: this.aliases.events,
      ...suggestSearch(input),
    });
    return suggestResult(response);
  }
}
