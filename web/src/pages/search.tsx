// Search results: highlights, facet filters (status, category, tags), matching channels.
import { request, type SearchResult } from "../api.ts";
import { EventList } from "../components/event-card.tsx";
import { ErrorNote, Loading, useLoad } from "../components/status.tsx";
import { plural } from "../format.ts";
import { navigate } from "../router.ts";

const FACETS = ["status", "category", "tags"] as const;

export function Search({ params }: { params: URLSearchParams }) {
  const query = params.toString();
  const { data, error, loading } = useLoad(
    (signal) => request<SearchResult>(`/api/search?${query}`, { signal }),
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
                    <legend>{facet}</legend>
                    {values.map((v) => (
                      <label key={v.value} class="facet">
                        <input
                          type="checkbox"
                          checked={chosen.includes(v.value)}
                          onChange={() => toggle(facet, v.value)}
                        />{" "}
                        {v.value} <span class="muted">({v.count})</span>
                      </label>
                    ))}
                  </fieldset>
                );
              })}
            </aside>
            <div>
              {/* Cards' titles are h3: a level between them and the page's h1 (axe). */}
              <h2 class="visually-hidden">Events found</h2>
              <p class="muted">{plural(data.total, "event")}</p>
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
              <EventList events={data.hits} empty="No event matches. Try fewer or other words." />
            </div>
          </div>
        )
      )}
    </>
  );
}
