// Search results: highlights, facet filters (status, category, tags), matching channels, and
// pages of results (Previous / Next, the page in the URL).
import type { EventStatus } from "../api.ts";
import { request, type SearchResult } from "../api.ts";
import { EventList } from "../components/event-card.tsx";
import { ErrorNote, Loading, useLoad } from "../components/status.tsx";
import { plural } from "../format.ts";
import { navigate } from "../router.ts";

const FACETS = ["status", "category", "tags"] as const;
const FACET_NAMES = { status: "Status", category: "Category", tags: "Tags" };
// The words the cards' badges use, not the API's values.
const STATUS_NAMES: Record<EventStatus, string> = {
  live: "Live",
  scheduled: "Upcoming",
  ended: "Recording",
  cancelled: "Cancelled",
};
const PAGE_SIZE = 20;
/** The search API answers within its first 10,000 results only. */
const WINDOW = 10_000;

const facetName = (facet: string, value: string) =>
  (facet === "status" && STATUS_NAMES[value as EventStatus]) || value;

function Pages({ params, page, total }: { params: URLSearchParams; page: number; total: number }) {
  const last = Math.min(Math.ceil(total / PAGE_SIZE), Math.floor(WINDOW / PAGE_SIZE));
  if (last <= 1 && page <= 1) return null;
  const to = (n: number) => {
    const next = new URLSearchParams(params);
    if (n > 1) next.set("page", String(n));
    else next.delete("page");
    return `/search?${next}`;
  };
  return (
    <nav aria-label="Pages" class="pages">
      {page > 1 ? (
        <a href={to(Math.min(page - 1, Math.max(last, 1)))} rel="prev">
          Previous
        </a>
      ) : (
        <span />
      )}
      <span>
        Page {page} of {Math.max(last, 1)}
      </span>
      {page < last ? (
        <a href={to(page + 1)} rel="next">
          Next
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
}

export function Search({ params }: { params: URLSearchParams }) {
  const query = params.toString();
  const page = Math.max(1, Number(params.get("page")) || 1);
  const { data, error, loading } = useLoad(
    (signal) => {
      const asked = new URLSearchParams(params);
      asked.set("size", String(PAGE_SIZE));
      return request<SearchResult>(`/api/search?${asked}`, { signal });
    },
    [query],
  );
  const toggle = (facet: string, value: string) => {
    const next = new URLSearchParams(params);
    const chosen = new Set((next.get(facet) ?? "").split(",").filter(Boolean));
    if (chosen.has(value)) chosen.delete(value);
    else chosen.add(value);
    if (chosen.size > 0) next.set(facet, [...chosen].join(","));
    else next.delete(facet);
    next.delete("page");
    navigate(`/search?${next}`);
  };
  const q = params.get("q") ?? "";
  const first = (page - 1) * PAGE_SIZE + 1;
  return (
    <>
      <h1>{q ? `Results for “${q}”` : "All events"}</h1>
      {error ? (
        <ErrorNote error={error} />
      ) : loading && !data ? (
        <Loading what="results" />
      ) : (
        data && (
          <div class="search-layout">
            <aside aria-label="Filters">
              {FACETS.map((facet) => {
                const chosen = (params.get(facet) ?? "").split(",");
                const values = data.facets[facet] ?? [];
                if (values.length === 0) return null;
                return (
                  <fieldset key={facet}>
                    <legend>{FACET_NAMES[facet]}</legend>
                    {values.map((v) => (
                      <label key={v.value} class="facet">
                        <input
                          type="checkbox"
                          checked={chosen.includes(v.value)}
                          onChange={() => toggle(facet, v.value)}
                        />{" "}
                        {facetName(facet, v.value)} <span class="muted">({v.count})</span>
                      </label>
                    ))}
                  </fieldset>
                );
              })}
            </aside>
            <div>
              {/* Cards' titles are h3: a level between them and the page's h1 (axe). */}
              <h2 class="visually-hidden">Events found</h2>
              <p class="muted" data-testid="result-count">
                {data.total > PAGE_SIZE && data.hits.length > 0
                  ? `${first.toLocaleString()}–${(first + data.hits.length - 1).toLocaleString()} of ${plural(data.total, "event")}`
                  : plural(data.total, "event")}
              </p>
              {(data.channels ?? []).length > 0 && (
                <p>
                  Channels:{" "}
                  {data.channels?.map((c) => (
                    <a key={c.id} href={`/c/${c.slug}`} class="chip">
                      {c.title}
                    </a>
                  ))}
                </p>
              )}
              <EventList
                events={data.hits}
                empty={
                  page > 1 && data.total > 0
                    ? "No more results: this page is past the last one."
                    : "No event matches. Try fewer or other words."
                }
              />
              <Pages params={params} page={page} total={data.total} />
            </div>
          </div>
        )
      )}
    </>
  );
}
