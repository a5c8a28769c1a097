// The search box: title suggestions as you type (debounced), Enter for the full results.
import { useEffect, useState } from "preact/hooks";
import { request } from "../api.ts";
import { navigate } from "../router.ts";

interface Suggestion {
  title: string;
  eventId: string;
  status: string;
}

export function SearchBox({ initial = "" }: { initial?: string }) {
  const [q, setQ] = useState(initial);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const text = q.trim();
    if (text.length < 2) {
      setSuggestions([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      request<{ suggestions: Suggestion[] }>(`/api/search/suggest?q=${encodeURIComponent(text)}`, {
        signal: controller.signal,
      })
        .then((r) => setSuggestions(r.suggestions))
        .catch(() => undefined);
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  const submit = (event: Event) => {
    event.preventDefault();
    setOpen(false);
    navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };

  return (
    <form class="search" aria-label="Search" onSubmit={submit}>
      <label for="search-q" class="visually-hidden">
        Search events
      </label>
      <input
        id="search-q"
        type="search"
        placeholder="Search events"
        autocomplete="off"
        value={q}
        aria-controls="search-suggestions"
        onInput={(e) => {
          setQ(e.currentTarget.value);
          setOpen(true);
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
      />
      {open && suggestions.length > 0 && (
        <ul id="search-suggestions" class="suggestions">
          {suggestions.map((s) => (
            <li key={s.eventId}>
              <a href={`/watch/${s.eventId}`} onClick={() => setOpen(false)}>
                {s.title} <span class="muted">{s.status}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
