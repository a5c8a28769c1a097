// The inbox API (through the edge: /api/me/notifications…). Everyone sees and marks only their
// own: the user comes from the session, never from the request.
import { notFound, parseInput, Router, requireSession } from "@stream-platform/shared";
import { inboxQuery, notificationId } from "./schemas.ts";
import { type InboxStore, toView } from "./store.ts";

export function routes(store: InboxStore): Router {
  const router = new Router();

  router.on("GET", "/api/me/notifications", async ({ req, query }) => {
    const { userId } = await requireSession(req);
    const input = parseInput(inboxQuery, Object.fromEntries(query));
    const [page, unread] = await Promise.all([
      store.list(userId, input),
      store.unreadCount(userId),
    ]);
    return {
      status: 200,
      body: {
        items: page.items.map(toView),
        unread,
        ...(page.nextCursor && { nextCursor: page.nextCursor }),
      },
    };
  });

  router.on("POST", "/api/me/notifications/read-all", async ({ req }) => {
    const { userId } = await requireSession(req);
    return { status: 200, body: { marked: await store.markAllRead(userId), unread: 0 } };
  });

  router.on("POST", "/api/me/notifications/:id/read", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const id = parseInput(notificationId, params.id, "id");
    // Someone else's notification is as unknown as a missing one.
    if (!(await store.markRead(userId, id))) throw notFound(`no notification ${id}`);
    return { status: 200, body: { id, read: true, unread: await store.unreadCount(userId) } };
  });

  return router;
}
