// What the ops API accepts; types derive from the schemas.
import { z } from "zod";

export const deadLettersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** The `next` of the page before. */
  before: z
    .string()
    .regex(/^\d{4}-\d\d-\d\dT[\d:.]+Z\|[\w-]{1,64}$/, "must be a `next` from a page of this list")
    .optional(),
});

export const panelsQuery = z.object({
  /** How far back the charts go. */
  minutes: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60),
});

export const deadLetterKey = z.string().regex(/^[\w-]{1,64}$/, "is not a dead letter's key");

export const traceIdParam = z
  .string()
  .regex(/^[0-9a-f]{32}$/, "must be a trace id: 32 lowercase hex digits")
  .refine((id) => !/^0+$/.test(id), "must not be all zeros");
