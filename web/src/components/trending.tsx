// "Trending now" on the home page: the events most watched in the last hours (analytics'
// GET /api/analytics/trending), their cards in one request to search (ids=…), those live or with
// a recording to watch. A chunk of its own, so the home page's first script stays small; nothing
// at all when nothing was watched lately.
import { request, type SearchHit, type SearchResult } from "../api.ts";
import { EventList } from "./event-card.tsx";
import { useLoad } from "./status.tsx";

const SHOWN = 8;

async function trending(signal: AbortSignal): Promise<SearchHit[]> {
  const ranked = await request<{ items: { eventId: string }[] }>(
    `/api/analytics/trending?limit=${SHOWN * 2}`,
    { signal },
  );
  const ids = ranked.items.map((item) => item.eventId);
  if (ids.length === 0) return [];
  const found = await request<SearchResult>(`/api/search?ids=${ids.join(",")}&size=${ids.length}`, {
    signal,
  });
  const cards = new Map(found.hits.map((hit) => [hit.id, hit]));
  return ids
    .map((id) => cards.get(id))
    .filter((hit): hit is SearchHit => hit?.status === "live" || Boolean(hit?.vodPath))
    .slice(0, SHOWN);
}

export function Trending() {
  const { data } = useLoad(trending, []);
  if (!data?.length) return null;
  return (
    <section aria-label="Trending now">
      <div class="shelf-head">
        <h2>Trending now</h2>
      </div>
      <EventList events={data} empty="" />
    </section>
  );
}
