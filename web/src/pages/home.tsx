// Home: live now (with viewer counts), upcoming (with countdowns), recent recordings.
import { useMemo } from "preact/hooks";
import { type Page, request, type VideoEvent } from "../api.ts";
import { EventList } from "../components/event-card.tsx";
import { ErrorNote, Loading, useLoad } from "../components/status.tsx";

function Shelf({ title, query, empty }: { title: string; query: string; empty: string }) {
  const { data, error, loading } = useLoad(
    (signal) => request<Page<VideoEvent>>(`/api/events?${query}`, { signal }),
    [query],
  );
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {loading && !data ? (
        <Loading what={title.toLowerCase()} />
      ) : error ? (
        <ErrorNote error={error} />
      ) : (
        <EventList events={data?.items ?? []} empty={empty} />
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
        query="status=live&order=desc&limit=12"
        empty="Nobody is live right now."
      />
      <Shelf
        title="Upcoming"
        query={`status=scheduled&from=${encodeURIComponent(from)}&limit=12`}
        empty="Nothing scheduled yet."
      />
      <Shelf
        title="Recent recordings"
        query="status=ended&order=desc&limit=12"
        empty="No recordings yet."
      />
    </>
  );
}
