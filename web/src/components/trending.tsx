// "Trending now" on the home page: the events most watched in the last hours (analytics'
// GET /api/analytics/trending), those live or with a recording to watch. A chunk of its own, so
// the home page's first script stays small; nothing at all when nothing was watched lately.
import { request } from "../api.ts";
import { type Ranked, RankedShelf, watchable } from "./ranked-shelf.tsx";

const SHOWN = 8;

async function trending(signal: AbortSignal): Promise<Ranked[]> {
  const ranked = await request<{ items: { eventId: string }[] }>(
    `/api/analytics/trending?limit=${SHOWN * 2}`,
    { signal },
  );
  return ranked.items;
}

export const Trending = () => (
  <RankedShelf title="Trending now" rank={trending} keep={watchable} shown={SHOWN} />
);
