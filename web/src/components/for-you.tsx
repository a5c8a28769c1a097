// "For you" on a signed-in person's home page: what the recommendations function ranks for them
// from what they watched and whom they follow (GET /api/me/recommendations), each card saying
// why it is there ("Because you watched …"). Their own history is never in it (Continue
// watching is above). A chunk of its own, as Trending is; nothing at all when the ranking is
// empty or cannot be had (signed out meanwhile, the function away).
import { request, type SearchHit } from "../api.ts";
import { type Ranked, RankedShelf, watchable } from "./ranked-shelf.tsx";

const SHOWN = 12;

interface Recommendations {
  items: { eventId: string; reason: { text: string } }[];
}

async function recommendations(signal: AbortSignal): Promise<Ranked[]> {
  const ranked = await request<Recommendations>(`/api/me/recommendations?limit=${SHOWN * 2}`, {
    signal,
  });
  return ranked.items.map((item) => ({ eventId: item.eventId, note: item.reason.text }));
}

/** Live, a recording, or (a followed channel's, the only ones ranked) coming up. */
const worthShowing = (hit: SearchHit) => watchable(hit) || hit.status === "scheduled";

export const ForYou = () => (
  <RankedShelf title="For you" rank={recommendations} keep={worthShowing} shown={SHOWN} />
);
