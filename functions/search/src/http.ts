// The search HTTP API (through the edge: /api/search…, and /api/events/:id/related). Public: it
// only shows what events and channels already show to anyone.
import { parseInput, Router } from "@stream-platform/shared";
import { relatedQuery, searchQuery, suggestQuery } from "./schemas.ts";
import type { Search } from "./search.ts";

export function routes(search: Search): Router {
  const router = new Router();

  router.on("GET", "/api/search", async ({ query }) => {
    const input = parseInput(searchQuery, Object.fromEntries(query));
    return { status: 200, body: await search.events(input) };
  });

  router.on("GET", "/api/search/suggest", async ({ query }) => {
    const input = parseInput(suggestQuery, Object.fromEntries(query));
    return {
      status: 200,
      body: await search.suggest(input),
      // Keystrokes repeat prefixes: let the browser keep an answer for a few seconds.
      headers: { "cache-control": "public, max-age=5" },
    };
  });

  // "More like this" under a watch page (a path of the events', which the edge sends here).
  router.on("GET", "/api/events/:id/related", async ({ params, query }) => {
    const input = parseInput(relatedQuery, { ...Object.fromEntries(query), id: params.id });
    return {
      status: 200,
      body: await search.related(input),
      headers: { "cache-control": "public, max-age=30" },
    };
  });

  return router;
}
