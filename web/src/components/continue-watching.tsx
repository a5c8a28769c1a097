// Home's "Continue watching" for a signed-in person: the recordings they left part of the way,
// last watched first; each opens where they stopped (the player resumes it). Nothing is shown
// when there is nothing to continue.
import { type Page, request } from "../api.ts";
import { clock, type HistoryEntry, unfinished } from "../history.ts";
import { Poster } from "./poster.tsx";
import { useLoad } from "./status.tsx";

export function ContinueWatching() {
  const { data } = useLoad(
    (signal) => request<Page<HistoryEntry>>("/api/me/history?limit=50", { signal }),
    [],
  );
  const items = (data?.items ?? []).filter(unfinished).slice(0, 12);
  if (items.length === 0) return null;
  return (
    <section aria-label="Continue watching">
      <h2>Continue watching</h2>
      <ul class="cards">
        {items.map((e) => (
          <li class="card" key={e.eventId}>
            <a href={`/watch/${e.eventId}`} class="card-link">
              <Poster
                event={{
                  id: e.eventId,
                  channelId: e.channel.id,
                  posterUrl: e.posterUrl,
                  posterSmallUrl: e.posterSmallUrl,
                }}
                channelName={e.channel.title}
              />
              <h3>{e.title}</h3>
            </a>
            <a class="muted card-channel" href={`/c/${e.channel.slug}`}>
              {e.channel.title}
            </a>
            <progress max={e.duration} value={e.position} aria-label={`Watched of ${e.title}`} />
            <p class="muted">
              {clock(e.position)} of {clock(e.duration)}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
