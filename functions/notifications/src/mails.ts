// The notification mails, in plain text and HTML (shared/src/mail), each with a link that stops
// its kind of mail without signing in (and the List-Unsubscribe header for mail clients).
import { composeMail, type MailContent, publicUrl } from "@stream-platform/shared/mail";
import type { OutgoingMail } from "./email-store.ts";
import type { NotificationKind } from "./schemas.ts";

export const UNSUBSCRIBE_PATH = "/api/notifications/unsubscribe";

const what: Record<NotificationKind, string> = {
  "event.scheduled": "New event",
  "event.updated": "New time",
  "event.reminder": "Starting soon",
  "event.live": "Live now",
  "event.cancelled": "Cancelled",
};

const why = {
  reminders: "reminders of events",
  live: '"live now" messages for channels you follow',
  digest: "a daily digest",
} as const;

export function notificationMail(
  mail: Pick<OutgoingMail, "kind" | "items">,
  name: string,
  unsubscribeToken: string,
): MailContent {
  const base = publicUrl();
  const [first] = mail.items;
  const footer = `You get this because you asked for ${why[mail.kind]} by email on your account page, where you can turn it off; or use the link below.`;
  const unsubscribeUrl = `${base}${UNSUBSCRIBE_PATH}?token=${unsubscribeToken}`;
  if (mail.kind === "digest" || !first)
    return composeMail({
      subject: "Your Stream Platform daily digest",
      greeting: `Hello ${name},`,
      paragraphs: [
        "Here is what happened on the channels and events you follow in the last day:",
        ...mail.items.map((item) => `${what[item.kind]}: ${item.title}`),
      ],
      action: { label: "See your notifications", url: `${base}/` },
      footer,
      unsubscribeUrl,
    });
  const live = mail.kind === "live";
  return composeMail({
    subject: `${what[first.kind]}: ${first.title}`,
    greeting: `Hello ${name},`,
    paragraphs: [
      live
        ? `"${first.title}" is live now on a channel you follow.`
        : `"${first.title}" starts soon.`,
    ],
    action: { label: live ? "Watch now" : "Open the event", url: `${base}/watch/${first.eventId}` },
    footer,
    unsubscribeUrl,
  });
}
