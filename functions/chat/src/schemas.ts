// What the chat API accepts: zod schemas of bodies, parameters and queries; types derive from them.
import { eventIdSchema } from "@stream-platform/shared";
import { z } from "zod";

export const eventId = eventIdSchema;
export const messageId = z.string().regex(/^msg_[a-f0-9]{24}$/, "not a valid message id");
export const channelId = z.uuid("not a valid channel id");
export const userId = z.uuid("not a valid user id");

/** Checked for length and content by the domain (cleanText); this bounds what is read at all. */
export const postBody = z.object({ text: z.string().max(4000) }).strict();

export const historyQuery = z
  .object({
    /** What came after this message, oldest first (an SSE reconnect's Last-Event-ID). */
    after: messageId.optional(),
    /** For replay: messages sent at or after this many seconds into the stream. */
    fromOffset: z.coerce.number().nonnegative().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict()
  .refine((q) => !(q.after && q.fromOffset !== undefined), {
    path: ["fromOffset"],
    message: "use after or fromOffset, not both",
  });
export type HistoryQuery = z.infer<typeof historyQuery>;

const word = z.string().trim().min(1).max(50);

export const settingsBody = z
  .object({
    slowModeSeconds: z.number().int().min(0).max(3600).optional(),
    followersOnly: z.boolean().optional(),
    linksAllowed: z.boolean().optional(),
    blockedWords: z.array(word).max(500).optional(),
  })
  .strict();
export type SettingsBody = z.infer<typeof settingsBody>;

export const banBody = z
  .object({
    reason: z.string().trim().min(1).max(200),
    /** A timeout of this many minutes; without it, a ban until lifted. */
    minutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 30)
      .optional(),
  })
  .strict();

export const logQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();
