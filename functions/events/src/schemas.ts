// What the events API accepts: zod schemas for bodies and queries; the types derive from them.
import { EVENT_STATUSES, eventIdSchema } from "@stream-platform/shared";
import { z } from "zod";

export const STATUSES = EVENT_STATUSES;
export type Status = (typeof STATUSES)[number];

/** Which status may follow which (PATCH, DELETE and the stream lifecycle all obey it). */
export const TRANSITIONS: Record<Status, Status[]> = {
  scheduled: ["live", "cancelled"],
  live: ["ended"],
  ended: [],
  cancelled: [],
};

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
  cursor: z.string().max(200).optional(),
  /** By start time: soonest first (asc, the default) or latest first (desc). */
  order: z.enum(["asc", "desc"]).default("asc"),
});

export const eventId = eventIdSchema;

export type CreateEvent = z.infer<typeof createBody>;
export type PatchEvent = z.infer<typeof patchBody>;
export type ListQuery = z.infer<typeof listQuery>;
