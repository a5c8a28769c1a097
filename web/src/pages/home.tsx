// Home: live now (with viewer counts), upcoming (with countdowns), recent recordings. The
// shelves look again every few seconds, so a stream that starts shows up and one that stopped
// (or the events of an account deleted meanwhile) leaves without a reload.
import { useEffect, useMemo, useRef } from "preact/hooks";
import { type Page, request, type VideoEvent } from "../api.ts";
import { EventList } from "../components/event-card.tsx";
import { ErrorNote, Loading, useLoad } from "../components/status.tsx";

const SHELF = 12;
const REFRESH_MS = 10_000;

/**
 * An event marked live whose stream is gone (never started, or its playlist removed) has
 * nothing to play: its playlist answers 404. Live now shows only streams that answer, so it
 * asks for more than it shows (events the platform still lists as live would crowd it out).
 */
const playable = (event: VideoEvent, signal: AbortSignal) =>
  fetch(`/hls/${event.id}/master.m3u8`, { method: "HEAD", signal }).then(
    (response) => response.ok,
    () => false,
  );

async function liveShelf(query: string, signal: AbortSignal): Promise<Page<VideoEvent>> {
  const page = await request<Page<VideoEvent>>(`/api/events?${query}&limit=50`, { signal });
  const answers = await Promise.all(page.items.map((event) => playable(event, signal)));
  const items = page.items.filter((_, n) => answers[n]);
  return {
    items: items.slice(0, SHELF),
    nextCursor: items.length > SHELF ? (page.nextCursor ?? "more") : null,
  };
}

function Shelf({
  title,
  query,
  empty,
  all,
  live = false,
}: {
  title: string;
  query: string;
  empty: string;
  /** The search listing every event of the shelf, offered when there are more than it shows. */
  all: string;
  live?: boolean;
}) {
  const { data, error, loading, reload } = useLoad(
    (signal) =>
      live
        ? liveShelf(query, signal)
        : request<Page<VideoEvent>>(`/api/events?${query}&limit=${SHELF}`, { signal }),
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
        live
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
