// The search box: title suggestions as you type (debounced), Enter for the full results. A
// combobox (ARIA's editable combobox with a list): ArrowDown/ArrowUp move through the
// suggestions while typing goes on, Enter opens the one chosen, Escape closes them; Tab moves
// into the list (a listbox the same keys work in), and they close only when focus leaves both.
import { useEffect, useRef, useState } from "preact/hooks";
import { request } from "../api.ts";
import { navigate } from "../router.ts";

interface Suggestion {
  title: string;
  eventId: string;
  status: string;
}

const LIST = "search-suggestions";
const optionId = (index: number) => `${LIST}-${index}`;

export function SearchBox({ initial = "" }: { initial?: string }) {
  const [q, setQ] = useState(initial);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  // The suggestion chosen with the arrow keys (-1: none).
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);

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
        .then((r) => {
          setSuggestions(r.suggestions);
          setActive(-1);
        })
        .catch(() => undefined);
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  const shown = open && suggestions.length > 0;
  const close = () => {
    setOpen(false);
    setActive(-1);
  };
  const go = (suggestion: Suggestion) => {
    close();
    navigate(`/watch/${suggestion.eventId}`);
  };

  const submit = (event: Event) => {
    event.preventDefault();
    close();
    navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };

  /** The keys of the input and of the list alike. */
  const onKeyDown = (event: KeyboardEvent) => {
    const last = suggestions.length - 1;
    const chosen = suggestions[active];
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (last < 0) return;
      event.preventDefault();
      const down = event.key === "ArrowDown";
      if (!shown) {
        setOpen(true);
        setActive(down ? 0 : last);
      } else setActive(down ? (active >= last ? 0 : active + 1) : active <= 0 ? last : active - 1);
    } else if (event.key === "Enter" && shown && chosen) {
      event.preventDefault();
      go(chosen);
    } else if (event.key === "Escape" && shown) {
      event.preventDefault();
      close();
      input.current?.focus();
    }
  };

  return (
    <form
      class="search"
      aria-label="Search"
      onSubmit={submit}
      // Closed when focus leaves the box and its list, not on a timer (Tab goes into the list).
      onFocusOut={(event) => {
        const to = event.relatedTarget as Node | null;
        if (!to || !event.currentTarget.contains(to)) close();
      }}
    >
      <label for="search-q" class="visually-hidden">
        Search events
      </label>
      <input
        ref={input}
        id="search-q"
        // Text, not search: ARIA allows a search field to be a combobox only with a <datalist>.
        type="text"
        enterKeyHint="search"
        role="combobox"
        placeholder="Search events"
        autocomplete="off"
        value={q}
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={LIST}
        aria-activedescendant={shown && active >= 0 ? optionId(active) : undefined}
        onInput={(e) => {
          setQ(e.currentTarget.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
      />
      <div
        id={LIST}
        role="listbox"
        aria-label="Suggestions"
        class="suggestions"
        hidden={!shown}
        tabIndex={shown ? 0 : -1}
        aria-activedescendant={shown && active >= 0 ? optionId(active) : undefined}
        onKeyDown={onKeyDown}
        onFocus={() => active < 0 && setActive(0)}
        // Keeps focus in the box, so the list is still there when the click lands.
        onMouseDown={(e) => e.preventDefault()}
        onClick={(e) => {
          const option = (e.target as Element).closest("[role=option]");
          const chosen = suggestions[Number(option?.getAttribute("data-index"))];
          if (option && chosen) go(chosen);
        }}
      >
        {suggestions.map((s, index) => (
          <div
            key={s.eventId}
            id={optionId(index)}
            data-index={index}
            role="option"
            tabIndex={-1}
            aria-selected={index === active}
            class={index === active ? "active" : undefined}
          >
            {s.title} <span class="muted">{s.status}</span>
          </div>
        ))}
      </div>
    </form>
  );
}
