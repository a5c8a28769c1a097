// The notification bell: the unread count, live from the SSE stream; opens the inbox.
import { useState } from "preact/hooks";
import { when } from "../format.ts";
import type { useInbox } from "../notifications.ts";

const KIND: Record<string, string> = {
  "event.scheduled": "New event",
  "event.updated": "Time changed",
  "event.reminder": "Starting soon",
  "event.live": "Live now",
  "event.cancelled": "Cancelled",
};

export function Bell({ inbox }: { inbox: ReturnType<typeof useInbox> }) {
  const [open, setOpen] = useState(false);
  return (
    <div class="bell">
      <button
        type="button"
        class="icon"
        aria-expanded={open}
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
        <section class="inbox" aria-label="Notifications">
          <header>
            <strong>Notifications</strong>
            {inbox.unread > 0 && (
              <button type="button" class="link" onClick={() => inbox.markAllRead()}>
                Mark all as read
              </button>
            )}
          </header>
          {inbox.items.length === 0 ? (
            <p class="muted">Nothing yet. Subscribe to channels to hear about their events.</p>
          ) : (
            <ul>
              {inbox.items.map((n) => (
                <li key={n.id} class={n.read ? "read" : "unread"}>
                  <a
                    href={`/watch/${n.eventId}`}
                    onClick={() => {
                      setOpen(false);
                      if (!n.read) inbox.markRead(n.id).catch(() => undefined);
                    }}
                  >
                    {KIND[n.kind] ?? "Event"}: {n.title}
                  </a>
                  <span class="muted">{when(n.createdAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
