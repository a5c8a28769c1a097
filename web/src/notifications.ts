// The signed-in person's inbox: loaded from /api/me/notifications, then kept current by the SSE
// stream (stream-server; EventSource sends the session cookie; event-stream.ts resumes it).
// The unread count leads the tab's title; news arriving while the tab is hidden goes to the
// desktop as well, for those who switched that on.
import { useEffect, useState } from "preact/hooks";
import { type Inbox, type Notification, request } from "./api.ts";
import { showOnDesktop } from "./desktop-notifications.ts";
import { followEventStream } from "./event-stream.ts";
import { showUnreadInTitle } from "./title.ts";

export interface InboxState {
  items: Notification[];
  unread: number;
  /** The stream is connected (new notifications arrive without reloading). */
  connected: boolean;
}

export function useInbox(signedIn: boolean): InboxState & {
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
} {
  const [state, setState] = useState<InboxState>({ items: [], unread: 0, connected: false });

  const markRead = async (id: string) => {
    const { unread } = await request<{ unread: number }>(
      `/api/me/notifications/${encodeURIComponent(id)}/read`,
      { method: "POST" },
    );
    setState((s) => ({
      ...s,
      unread,
      items: s.items.map((n) => (n.id === id ? { ...n, read: true } : n)),
    }));
  };

  useEffect(() => {
    if (!signedIn) {
      setState({ items: [], unread: 0, connected: false });
      return;
    }
    let closed = false;
    // What this page has already heard of: the stream may repeat what the first page listed.
    const seen = new Set<string>();
    request<Inbox>("/api/me/notifications?limit=20")
      .then((inbox) => {
        for (const n of inbox.items) seen.add(n.id);
        if (!closed) setState((s) => ({ ...s, items: inbox.items, unread: inbox.unread }));
      })
      .catch(() => undefined);
    const stop = followEventStream({
      path: "/api/me/notifications/stream",
      connected: (connected) => setState((s) => ({ ...s, connected })),
      on: {
        notification: (data) => {
          const notification = data as Notification;
          if (!seen.has(notification.id)) {
            seen.add(notification.id);
            // Opened from the desktop: read, as when opened from the bell.
            showOnDesktop(notification, () => markRead(notification.id).catch(() => undefined));
          }
          setState((s) =>
            s.items.some((n) => n.id === notification.id)
              ? s
              : {
                  ...s,
                  items: [notification, ...s.items].slice(0, 50),
                  unread: s.unread + (notification.read ? 0 : 1),
                },
          );
        },
      },
    });
    return () => {
      closed = true;
      stop();
    };
  }, [signedIn]);

  useEffect(() => showUnreadInTitle(state.unread), [state.unread]);

  return {
    ...state,
    markRead,
    async markAllRead() {
      await request("/api/me/notifications/read-all", { method: "POST" });
      setState((s) => ({ ...s, unread: 0, items: s.items.map((n) => ({ ...n, read: true })) }));
    },
  };
}

/**
 * The inbox's entries whose text says every word of `query` (the API searches): undefined while
 * there is no query, or its answer has not come yet. Asked a moment after the typing stops.
 */
export function useInboxSearch(query: string): Notification[] | undefined {
  const [found, setFound] = useState<Notification[]>();
  useEffect(() => {
    setFound(undefined);
    const q = query.trim();
    if (!q) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      request<Inbox>(`/api/me/notifications?q=${encodeURIComponent(q)}&limit=20`, {
        signal: controller.signal,
      }).then(
        (page) => setFound(page.items),
        () => undefined,
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query]);
  return found;
}
