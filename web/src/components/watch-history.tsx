// The account page's History: what the person watched, last first (pages of 20), each with how
// long and where they stopped; one entry or all of it can be cleared. Its own chunk: the account
// page is in the home page's bundle.
import { useState } from "preact/hooks";
import { type Page, request } from "../api.ts";
import { when } from "../format.ts";
import { clock, type HistoryEntry } from "../history.ts";
import { ErrorNote, Loading, useLoad } from "./status.tsx";

export function WatchHistory() {
  const [more, setMore] = useState<HistoryEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>();
  const [error, setError] = useState<unknown>();
  const first = useLoad((signal) => request<Page<HistoryEntry>>("/api/me/history", { signal }), []);
  const items = [...(first.data?.items ?? []), ...more];
  const next = cursor === undefined ? first.data?.nextCursor : cursor;
  const act = (work: Promise<unknown>) =>
    work.then(
      () => {
        setMore([]);
        setCursor(undefined);
        first.reload();
      },
      (e) => setError(e),
    );
  const forget = (eventId?: string) =>
    act(
      request(`/api/me/history${eventId ? `/${encodeURIComponent(eventId)}` : ""}`, {
        method: "DELETE",
      }),
    );
  const loadMore = () =>
    request<Page<HistoryEntry>>(`/api/me/history?cursor=${encodeURIComponent(next ?? "")}`).then(
      (page) => {
        setMore([...more, ...page.items]);
        setCursor(page.nextCursor ?? null);
      },
      (e) => setError(e),
    );
  return (
    <section aria-labelledby="history-title" class="history">
      <h2 id="history-title">History</h2>
      {first.loading && !first.data ? (
        <Loading what="your history" />
      ) : first.error ? (
        <ErrorNote error={first.error} />
      ) : items.length === 0 ? (
        <p class="muted">Nothing watched yet (or your history is cleared).</p>
      ) : (
        <>
          <ul class="history-list">
            {items.map((e) => (
              <li key={e.eventId}>
                <a href={`/watch/${e.eventId}`}>{e.title}</a>{" "}
                <span class="muted">
                  · {e.channel.title} · watched {clock(e.watchedSeconds)}
                  {e.duration !== undefined && `, stopped at ${clock(e.position)}`} ·{" "}
                  {when(e.updatedAt)}
                </span>{" "}
                <button
                  type="button"
                  class="link"
                  onClick={() => forget(e.eventId)}
                  aria-label={`Remove ${e.title} from your history`}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          {next && (
            <button type="button" onClick={loadMore}>
              Show more
            </button>
          )}{" "}
          <button type="button" onClick={() => forget()}>
            Clear history
          </button>
        </>
      )}
      {error !== undefined && <ErrorNote error={error} />}
    </section>
  );
}
