import { Client } from "@elastic/elasticsearch";
import { serviceUrls } from "@stream-platform/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "./names.ts";

describe("Elasticsearch (the unmodified @elastic/elasticsearch client)", () => {
  const client = new Client({ node: serviceUrls().elasticsearchUrl });
  const index = uniqueName("t_es");

  beforeAll(async () => {
    await client.indices.create({
      index,
      mappings: {
        properties: {
          title: { type: "text", analyzer: "english" },
          tags: { type: "keyword" },
        },
      },
    });
  });

  afterAll(async () => {
    await client.indices.delete({ index }).catch(() => undefined);
    await client.close();
  });

  it("analyzes with edge n-grams, for suggestions as you type", async () => {
    const suggest = uniqueName("t_es_suggest");
    await client.indices.create({
      index: suggest,
      settings: {
        analysis: {
          filter: { prefixes: { type: "edge_ngram", min_gram: 1, max_gram: 15 } },
          analyzer: {
            prefix_index: {
              type: "custom",
              tokenizer: "standard",
              filter: ["lowercase", "asciifolding", "prefixes"],
            },
          },
        },
      },
      mappings: {
        properties: {
          title: { type: "text", analyzer: "prefix_index", search_analyzer: "standard" },
        },
      },
      aliases: { [`${suggest}_alias`]: {} },
    });
    try {
      await client.index({
        index: `${suggest}_alias`,
        id: "1",
        document: { title: "Crème brûlée masterclass" },
        refresh: true,
      });
      const result = await client.search({
        index: `${suggest}_alias`,
        query: { match: { title: "cre" } },
      });
      expect(result.hits.hits.map((hit) => hit._id)).toEqual(["1"]);
    } finally {
      await client.indices.delete({ index: suggest });
    }
  });

  it("passes the client's product check and reports an 8.x version", async () => {
    const info = await client.info();
    expect(info.version.number).toMatch(/^8\./);
    expect(info.tagline).toBe("You Know, for Search");
  });

  it("indexes, refreshes and finds by a match query with highlights", async () => {
    await client.index({
      index,
      id: "1",
      document: { title: "Live cooking with friends", tags: ["food"] },
    });
    await client.index({
      index,
      id: "2",
      document: { title: "Chess tournament finals", tags: ["games"] },
    });
    await client.indices.refresh({ index });
    const result = await client.search<{ title: string }>({
      index,
      query: { match: { title: "cook" } },
      highlight: { fields: { title: {} } },
    });
    expect(result.hits.hits.map((hit) => hit._id)).toEqual(["1"]);
    expect(result.hits.hits[0]?.highlight?.title?.[0]).toContain("<em>cooking</em>");
  });
});
