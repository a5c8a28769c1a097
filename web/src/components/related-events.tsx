// "More like this" under a watch page: the events the search function finds most like this one
// (GET /api/events/:id/related). Nothing at all when there are none or it cannot answer: the
// page is whole without it.
import { request, type SearchHit } from "../api.ts";
import { EventList } from "./event-card.tsx";
import { useLoad } from "./status.tsx";

const SHOWN = 6;

export function RelatedEvents({ eventId }: { eventId: string }) {
  const { data } = useLoad(
    (signal) =>
      request<{ items: SearchHit[] }>(
        `/api/events/${encodeURIComponent(eventId)}/related?size=${SHOWN}`,
        { signal },
      ),
    [eventId],
  );
  if (!data?.items.length) return null;
  return (
    <section class="related" aria-labelledby="related-heading">
      <h2 id="related-heading">More like this</h2>
      <EventList events={data.items} empty="" />
    </section>
  );
}
