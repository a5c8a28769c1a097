// The notification bell: the unread count, live from the SSE stream; opens the inbox, which can be
// searched. The panel closes on Escape (focus back on the bell), a click outside it, and on
// moving to another page; at its foot, the switch for desktop notifications
// (desktop-notifications.ts).
import { notificationText } from "@stream-platform/shared/api";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { useDesktopNotifications } from "../desktop-notifications.ts";
import { when } from "../format.ts";
import { type useInbox, useInboxSearch } from "../notifications.ts";
import { useLocation } from "../router.ts";

export function Bell({ inbox }: { inbox: ReturnType<typeof useInbox> }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const where = useLocation().href;
  const desktop = useDesktopNotifications();
  const [query, setQuery] = useState("");
  const found = useInboxSearch(query);
  const searching = query.trim() !== "";
  const shown = searching ? found : inbox.items;

  // Another page: the panel was about this one.
  useEffect(() => setOpen(false), [where]);

  // Listening from the moment the panel is drawn (a layout effect runs before the browser
  // paints; a plain effect may run later, and an Escape pressed at once would be lost).
  useLayoutEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  return (
    <div class="bell" ref={root}>
      <button
        type="button"
        class="icon"
        ref={button}
        aria-expanded={open}
        aria-controls="notification-panel"
        aria-label={`Notifications, ${inbox.unread} unread`}
        onClick={() => setOpen(!open)}
      >
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path
            d="M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
            fill="currentColor"
          />
        </svg>
        {inbox.unread > 0 && (
          <span class="count" data-testid="unread-count">
            {inbox.unread}
          </span>
        )}
      </button>
      {open && (
        <section class="inbox" id="notification-panel" aria-label="Notifications">
          <header>
            <strong>Notifications</strong>
            {inbox.unread > 0 && (
              <button type="button" class="link" onClick={() => inbox.markAllRead()}>
                Mark all as read
              </button>
            )}
          </header>
          <input
            type="search"
            class="inbox-search"
            aria-label="Search notifications"
            placeholder="Search notifications"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          {!shown ? (
            <p class="muted">Searching…</p>
          ) : shown.length === 0 ? (
            <p class="muted" role="status">
              {searching
                ? `No notification says “${query.trim()}”.`
                : "Nothing yet. Subscribe to channels to hear about their events."}
            </p>
          ) : (
            <ul>
              {shown.map((n) => (
                <li key={n.id} class={n.read ? "read" : "unread"}>
                  <a
                    href={`/watch/${n.eventId}`}
                    onClick={() => {
                      // Closed here too: the link may be to the page already open.
                      setOpen(false);
                      if (!n.read) inbox.markRead(n.id).catch(() => undefined);
                    }}
                  >
                    {notificationText(n)}
                  </a>
                  <span class="muted">{when(n.createdAt)}</span>
                </li>
              ))}
            </ul>
          )}
          {desktop.state !== "unsupported" && (
            <footer>
              <label>
                <input
                  type="checkbox"
                  checked={desktop.state === "on"}
                  disabled={desktop.state === "blocked"}
                  onChange={async (e) => {
                    const box = e.currentTarget;
                    // What it came to (the browser may have said no, or nothing).
                    box.checked = (await desktop.set(box.checked)) === "on";
                  }}
                />{" "}
                Show desktop notifications
              </label>
              {desktop.state === "blocked" && (
                <span class="muted">Blocked in this browser's settings for the site.</span>
              )}
            </footer>
          )}
        </section>
      )}
    </div>
  );
}
