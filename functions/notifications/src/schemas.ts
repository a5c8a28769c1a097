// What the inbox API accepts, and the notification kinds; types derive from the schemas.
import type { EventData } from "@stream-platform/shared";
import { z } from "zod";

export type NotificationKind = EventData<"streamplatform.notification.created">["kind"];

export const notificationId = z.string().regex(/^ntf_[a-f0-9]{24}$/, "not a valid notification id");

export const inboxQuery = z
  .object({
    /** Older than this notification (the previous page's `nextCursor`). */
    cursor: notificationId.optional(),
    /** Newer than this notification, oldest first (what an SSE reconnect missed). */
    after: notificationId.optional(),
    unread: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** Words each found in what the notification says (its event's or channel's title, its kind's words). */
    q: z
      .string()
      .trim()
      .min(1, "type at least one character")
      .max(100, "at most 100 characters")
      .refine((value) => !/\p{Cc}/u.test(value), "control characters are not allowed")
      .optional(),
  })
  .refine((q) => !(q.cursor && q.after), {
    path: ["after"],
    message: "use cursor or after, not both",
  });

export type InboxQuery = z.infer<typeof inboxQuery>;

/** What reaches the inbox beyond what a person follows: every choice named, on or off. */
export const notificationSettingsBody = z.strictObject({ recommendations: z.boolean() });

/** The mail a person asks for: every kind named, each on or off. */
export const emailPreferencesBody = z.strictObject({
  reminders: z.boolean(),
  live: z.boolean(),
  digest: z.boolean(),
});

export const unsubscribeQuery = z.object({ token: z.string().min(1).max(512) });
