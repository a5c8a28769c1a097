// Home: live now (with viewer counts), upcoming (with countdowns), recent recordings. The
// shelves look again every few seconds, so a stream that starts shows up and one that stopped
// (or the events of an account deleted meanwhile) leaves without a reload.
import { useEffect, useMemo, useRef } from "preact/hooks";
import { type Page, request, type VideoEvent } from "../api.ts";
import { EventList } from "../components/event-card.tsx";
import { ErrorNote, Loading, useLoad } from "../components/status.tsx";

const SHELF = 12;
const REFRESH_MS = 10_000;

function Shelf({
  title,
  query,
  empty,
  all,
}: {
  title: string;
  query: string;
  empty: string;
  /** The search listing every event of the shelf, offered when there are more than it shows. */
  all: string;
}) {
  const { data, error, loading, reload } = useLoad(
    (signal) => request<Page<VideoEvent>>(`/api/events?${query}&limit=${SHELF}`, { signal }),
    [query],
  );
  // A refresh that fails keeps the last shelf on screen rather than replacing it with an error.
  const shown = useRef<Page<VideoEvent> | undefined>(undefined);
  if (data) shown.current = data;
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === "visible" && reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const page = data ?? shown.current;
  return (
    <section aria-label={title}>
      <div class="shelf-head">
        <h2>{title}</h2>
        {page?.nextCursor && (
          <a href={all}>
            See all<span class="visually-hidden"> {title.toLowerCase()}</span>
          </a>
        )}
      </div>
      {loading && !page ? (
        <Loading what={title.toLowerCase()} />
      ) : error && !page ? (
        <ErrorNote error={error} />
      ) : (
        <EventList events={page?.items ?? []} empty={empty} />
      )}
    </section>
  );
}

export function Home() {
  // Upcoming from an hour ago: an event that should have started is still worth showing.
  const from = useMemo(() => new Date(Date.now() - 3_600_000).toISOString(), []);
  return (
    <>
      {/* The page's title for screen readers (axe: page-has-heading-one); the shelves show it. */}
      <h1 class="visually-hidden">Live and upcoming on Stream Platform</h1>
      <Shelf
        title="Live now"
        query="status=live&order=desc"
        empty="Nobody is live right now."
        all="/search?status=live&sort=newest"
      />
      <Shelf
        title="Upcoming"
        query={`status=scheduled&from=${encodeURIComponent(from)}`}
        empty="Nothing scheduled yet."
        all={`/search?status=scheduled&from=${encodeURIComponent(from)}`}
      />
      <Shelf
        title="Recent recordings"
        query="status=ended&order=desc"
        empty="No recordings yet."
        all="/search?status=ended&sort=newest"
      />
    </>
  );
}
