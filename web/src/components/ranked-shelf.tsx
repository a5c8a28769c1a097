// A home shelf of events another API ranked (analytics' trending, recommendations' For you): the
// ranking gives ids, best first, and maybe a line saying why each is there; their cards come in
// one request to search (ids=…), in the ranking's order. Nothing at all when nothing is left to
// show or either request fails: the page is whole without the shelf. Imported by lazy chunks
// only, so none of it weighs on the home page's first script.
import { request, type SearchHit, type SearchResult } from "../api.ts";
import { EventList } from "./event-card.tsx";
import { useLoad } from "./status.tsx";

export interface Ranked {
  eventId: string;
  /** Why it is on the shelf ("Because you watched …"), shown under its card. */
  note?: string;
}

/** Live, or with a recording to watch: a card worth opening now. */
export const watchable = (hit: SearchHit) => hit.status === "live" || Boolean(hit.vodPath);

/** The events' cards, in the order of `ids`; those search no longer has are left out. */
async function cardsInOrder(ids: string[], signal: AbortSignal): Promise<SearchHit[]> {
  if (ids.length === 0) return [];
  const found = await request<SearchResult>(`/api/search?ids=${ids.join(",")}&size=${ids.length}`, {
    signal,
  });
  const cards = new Map(found.hits.map((hit) => [hit.id, hit]));
  return ids.map((id) => cards.get(id)).filter((hit) => hit !== undefined);
}

export function RankedShelf({
  title,
  rank,
  keep,
  shown,
}: {
  title: string;
  /** The ranking, best first (a few more than shown: `keep` may leave some out). */
  rank: (signal: AbortSignal) => Promise<Ranked[]>;
  /** Which cards the shelf shows. */
  keep: (hit: SearchHit) => boolean;
  shown: number;
}) {
  const { data } = useLoad(async (signal) => {
    const ranked = await rank(signal);
    const notes = new Map(ranked.map((r) => [r.eventId, r.note]));
    const cards = await cardsInOrder(
      ranked.map((r) => r.eventId),
      signal,
    );
    return { cards: cards.filter(keep).slice(0, shown), notes };
  }, []);
  if (!data?.cards.length) return null;
  return (
    <section aria-label={title}>
      <div class="shelf-head">
        <h2>{title}</h2>
      </div>
      <EventList events={data.cards} empty="" note={(event) => data.notes.get(event.id)} />
    </section>
  );
}
