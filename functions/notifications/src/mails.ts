// The notification mails, in plain text and HTML (shared/src/mail), each with a link that stops
// its kind of mail without signing in (and the List-Unsubscribe header for mail clients).
import { notificationText } from "@stream-platform/shared/api";
import { composeMail, type MailContent, publicUrl } from "@stream-platform/shared/mail";
import type { OutgoingMail } from "./email-store.ts";

export const UNSUBSCRIBE_PATH = "/api/notifications/unsubscribe";

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
        ...mail.items.map(notificationText),
      ],
      action: { label: "See your notifications", url: `${base}/` },
      footer,
      unsubscribeUrl,
    });
  const live = mail.kind === "live";
  const channel = first.channelTitle ?? "a channel you follow";
  return composeMail({
    subject: notificationText(first),
    greeting: `Hello ${name},`,
    paragraphs: [
      live
        ? `"${first.title}" is live now on ${channel}.`
        : `"${first.title}" starts soon on ${channel}.`,
    ],
    action: { label: live ? "Watch now" : "Open the event", url: `${base}/watch/${first.eventId}` },
    footer,
    unsubscribeUrl,
  });
}
