// The inbox API (through the edge: /api/me/notifications…). Everyone sees and marks only their
// own: the user comes from the session, never from the request.
import {
  HttpProblem,
  invalidInput,
  notFound,
  parseInput,
  Router,
  requireSession,
} from "@stream-platform/shared";
import { escapeHtml } from "@stream-platform/shared/mail";
import type { EmailKind, EmailStore } from "./email-store.ts";
import { UNSUBSCRIBE_PATH } from "./mails.ts";
import {
  emailPreferencesBody,
  inboxQuery,
  notificationId,
  notificationSettingsBody,
  unsubscribeQuery,
} from "./schemas.ts";
import type { SettingsStore } from "./settings-store.ts";
import { type InboxStore, toView } from "./store.ts";
import { readUnsubscribe } from "./unsubscribe-token.ts";

const kindNames: Record<EmailKind, string> = {
  reminders: "event reminders",
  live: '"live now" messages',
  digest: "the daily digest",
};

/** A small page for a person who opened an unsubscribe link in a browser. */
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:560px;margin:48px auto;padding:0 16px;line-height:1.5"><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;

function unsubscribeToken(query: URLSearchParams) {
  const { token } = parseInput(unsubscribeQuery, Object.fromEntries(query));
  const grant = readUnsubscribe(token);
  if (!grant)
    throw new HttpProblem(
      invalidInput([{ field: "token", detail: "this unsubscribe link is not valid (mistyped?)" }]),
    );
  return { token, ...grant };
}

export function routes(store: InboxStore, emails: EmailStore, settings: SettingsStore): Router {
  const router = new Router();

  router.on("GET", "/api/me/notifications/settings", async ({ req }) => {
    const { userId } = await requireSession(req);
    return { status: 200, body: await settings.get(userId) };
  });

  router.on("PUT", "/api/me/notifications/settings", async ({ req }) => {
    const { userId } = await requireSession(req);
    const input = parseInput(notificationSettingsBody, req.body);
    return { status: 200, body: await settings.set(userId, input) };
  });

  router.on("GET", "/api/me/notifications/email", async ({ req }) => {
    const { userId } = await requireSession(req);
    return { status: 200, body: await emails.get(userId) };
  });

  router.on("PUT", "/api/me/notifications/email", async ({ req }) => {
    const { userId } = await requireSession(req);
    const input = parseInput(emailPreferencesBody, req.body);
    return { status: 200, body: await emails.set(userId, input) };
  });

  // (The path literal, as every route's: the access matrix reads them from here. It is
  // UNSUBSCRIBE_PATH, where the mails link.)
  // GET only shows what the link does (mail scanners open links; opening must change nothing);
  // the page's button, or a mail client's RFC 8058 one-click POST, turns the mail off.
  router.on("GET", "/api/notifications/unsubscribe", ({ query }) => {
    const { token, kind } = unsubscribeToken(query);
    return {
      status: 200,
      html: page(
        "Unsubscribe",
        `<p>Stop ${escapeHtml(kindNames[kind])} by email? Your notifications stay in your inbox on the site.</p><form method="post" action="${UNSUBSCRIBE_PATH}?token=${escapeHtml(encodeURIComponent(token))}"><button type="submit">Unsubscribe</button></form>`,
      ),
    };
  });

  // The token is the credential (no cookie is read), so a cross-site form gains nothing: any
  // body is taken (mail clients post List-Unsubscribe=One-Click as a form).
  router.on(
    "POST",
    "/api/notifications/unsubscribe",
    async ({ query }) => {
      const { userId, kind } = unsubscribeToken(query);
      await emails.set(userId, { [kind]: false });
      return {
        status: 200,
        html: page(
          "Unsubscribed",
          `<p>You will get no more ${escapeHtml(kindNames[kind])} by email. Your account page turns it back on.</p>`,
        ),
      };
    },
    { anyBodyType: true },
  );

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
