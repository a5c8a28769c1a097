// Home: continue watching and For you (signed in), live now (with viewer counts), trending (For
// you and trending each a chunk of their own), upcoming (with countdowns), recent recordings. The
// shelves look again every few seconds, so a stream that starts shows up and one that stopped
// (or the events of an account deleted meanwhile) leaves without a reload.
import { START_GRACE_MS } from "@stream-platform/shared/api";
import { useEffect, useRef } from "preact/hooks";
import { type Page, request, type VideoEvent } from "../api.ts";
import { ContinueWatching } from "../components/continue-watching.tsx";
import { EventList } from "../components/event-card.tsx";
import { lazy } from "../components/lazy.tsx";
import { ErrorNote, Loading, useLoad } from "../components/status.tsx";
import { useSession } from "../session.ts";

const Trending = lazy(() => import("../components/trending.tsx").then((m) => m.Trending));
const ForYou = lazy(() => import("../components/for-you.tsx").then((m) => m.ForYou));

const SHELF = 12;
const REFRESH_MS = 10_000;

function Shelf({
  title,
  query,
  empty,
  all,
}: {
  title: string;
  /** The list's query, asked anew at each look (so a time in it moves on). */
  query: string | (() => string);
  empty: string;
  /** The search listing every event of the shelf, offered when there are more than it shows. */
  all: string;
}) {
  const { data, error, loading, reload } = useLoad(
    (signal) => {
      const asked = typeof query === "string" ? query : query();
      return request<Page<VideoEvent>>(`/api/events?${asked}&limit=${SHELF}`, { signal });
    },
    [title],
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

/**
 * Upcoming: scheduled to start at most START_GRACE_MS ago (one a little late may still start:
 * "starting soon"); one older than that did not start, and is not upcoming.
 */
const upcoming = () =>
  `status=scheduled&from=${encodeURIComponent(new Date(Date.now() - START_GRACE_MS).toISOString())}`;

export function Home() {
  const user = useSession();
  return (
    <>
      {/* The page's title for screen readers (axe: page-has-heading-one); the shelves show it. */}
      <h1 class="visually-hidden">Live and upcoming on Stream Platform</h1>
      {user && <ContinueWatching key={user.id} />}
      {user && <ForYou key={user.id} />}
      <Shelf
        title="Live now"
        query="status=live&order=desc"
        empty="Nobody is live right now."
        all="/search?status=live&sort=newest"
      />
      <Trending />
      <Shelf
        title="Upcoming"
        query={upcoming}
        empty="Nothing scheduled yet."
        // Search's Upcoming leaves out, by itself, what did not start.
        all="/search?status=scheduled"
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
