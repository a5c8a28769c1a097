// What the events API accepts: zod schemas for bodies and queries; the types derive from them.
import { EVENT_STATUSES, eventIdSchema } from "@stream-platform/shared";
import { z } from "zod";

export const STATUSES = EVENT_STATUSES;
export type Status = (typeof STATUSES)[number];

/** Where a page of the list ends: the keyset (startsAt, id) of its last event, opaque to clients. */
export interface Cursor {
  startsAt: string;
  id: string;
}

export const encodeCursor = (startsAt: Date, id: string) =>
  Buffer.from(JSON.stringify({ startsAt: startsAt.toISOString(), id } satisfies Cursor)).toString(
    "base64url",
  );

function decodeCursor(cursor: string): Cursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Cursor;
    if (typeof value.id === "string" && !Number.isNaN(Date.parse(value.startsAt))) return value;
  } catch {
    // not ours
  }
  return undefined;
}

const instant = z.iso
  .datetime({ offset: true, message: "an RFC 3339 date-time, e.g. 2030-01-31T18:00:00Z" })
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 2000 && year <= 2100;
  }, "a date between the years 2000 and 2100");

const fields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  tags: z.array(z.string().trim().min(1).max(50)).max(20),
  category: z.string().trim().min(1).max(50),
  startsAt: instant,
  endsAt: instant,
};

const endsAfterStart = (value: { startsAt?: string; endsAt?: string }) =>
  !value.startsAt || !value.endsAt || new Date(value.endsAt) > new Date(value.startsAt);

export const createBody = z
  .object({
    channelId: z.uuid("not a valid channel id"),
    title: fields.title,
    description: fields.description.default(""),
    tags: fields.tags.default([]),
    category: fields.category.optional(),
    startsAt: fields.startsAt,
    endsAt: fields.endsAt.optional(),
  })
  .strict()
  .refine(endsAfterStart, { path: ["endsAt"], message: "must be after startsAt" });

export const patchBody = z
  .object({
    title: fields.title.optional(),
    description: fields.description.optional(),
    tags: fields.tags.optional(),
    category: fields.category.optional(),
    startsAt: fields.startsAt.optional(),
    endsAt: fields.endsAt.optional(),
    status: z.enum(["live", "ended", "cancelled"]).optional(),
  })
  .strict()
  .refine((value) => Object.keys(value).length > 0, { message: "nothing to change" })
  .refine(endsAfterStart, { path: ["endsAt"], message: "must be after startsAt" });

export const listQuery = z.object({
  status: z.enum(STATUSES).optional(),
  channelId: z.uuid("not a valid channel id").optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(200)
    .transform((value, context) => {
      const cursor = decodeCursor(value);
      if (!cursor) context.addIssue({ code: "custom", message: "not a cursor this API gave" });
      return cursor ?? z.NEVER;
    })
    .optional(),
  /** By start time: soonest first (asc, the default) or latest first (desc). */
  order: z.enum(["asc", "desc"]).default("asc"),
});

export const eventId = eventIdSchema;

export type CreateEvent = z.infer<typeof createBody>;
export type PatchEvent = z.infer<typeof patchBody>;
export type ListQuery = z.infer<typeof listQuery>;
