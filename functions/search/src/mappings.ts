// The indices' settings and mappings. A field added here is put onto the existing index when the
// function starts (ensureAlias); any other change rolls out with `npm run reindex -w
// functions/search`: a new index with this mapping, a copy, then the alias switch (indices.ts).
import type { estypes } from "@elastic/elasticsearch";

const analysis: estypes.IndicesIndexSettingsAnalysis = {
  normalizer: {
    // Tags and categories match whatever their case: "Space" and "space" are one facet.
    folded: { type: "custom", filter: ["lowercase"] },
  },
  filter: {
    prefixes: { type: "edge_ngram", min_gram: 1, max_gram: 20 },
  },
  analyzer: {
    // Suggestions: every prefix of every word is indexed, so a keystroke is one term lookup
    // (no prefix query scanning the term dictionary).
    prefix_index: {
      type: "custom",
      tokenizer: "standard",
      filter: ["lowercase", "asciifolding", "prefixes"],
    },
    prefix_search: { type: "custom", tokenizer: "standard", filter: ["lowercase", "asciifolding"] },
  },
};

function settings(): estypes.IndicesIndexSettings {
  return {
    number_of_shards: 1,
    // One node locally; a cluster sets SEARCH_INDEX_REPLICAS=1 or more.
    number_of_replicas: Number(process.env.SEARCH_INDEX_REPLICAS ?? 0),
    analysis,
  };
}

/** Analyzed for full-text search, with a prefix sub-field for suggestions and a keyword one. */
const suggestableText: estypes.MappingProperty = {
  type: "text",
  analyzer: "english",
  // Offsets in the postings: highlighting reads them instead of re-analyzing each hit.
  index_options: "offsets",
  fields: {
    suggest: { type: "text", analyzer: "prefix_index", search_analyzer: "prefix_search" },
    raw: { type: "keyword", ignore_above: 256 },
  },
};

const folded: estypes.MappingProperty = { type: "keyword", normalizer: "folded" };

/** What an index is created with: everything but its name. */
export type IndexBody = Pick<estypes.IndicesCreateRequest, "settings" | "mappings">;

export const eventsIndex = (): IndexBody => ({
  settings: settings(),
  mappings: {
    dynamic: "strict",
    properties: {
      eventId: { type: "keyword" },
      channelId: { type: "keyword" },
      channel: {
        properties: {
          slug: { type: "keyword" },
          title: { type: "text", analyzer: "english" },
        },
      },
      title: suggestableText,
      description: { type: "text", analyzer: "english", index_options: "offsets" },
      tags: folded,
      category: folded,
      status: { type: "keyword" },
      startsAt: { type: "date" },
      endsAt: { type: "date" },
      vodPath: { type: "keyword", index: false },
      posterPath: { type: "keyword", index: false },
      version: { type: "long" },
      indexedAt: { type: "date" },
    },
  },
});

export const channelsIndex = (): IndexBody => ({
  settings: settings(),
  mappings: {
    dynamic: "strict",
    properties: {
      channelId: { type: "keyword" },
      slug: { type: "keyword" },
      title: suggestableText,
      indexedAt: { type: "date" },
    },
  },
});
