// What the search API accepts. Every parameter is checked and bounded here; queries are then
// built from these values only (query.ts), never from raw query-string text.
import { EVENT_STATUSES, eventIdSchema } from "@stream-platform/shared";
import { z } from "zod";

/** Elasticsearch's default `index.max_result_window`: deeper pages are refused. */
export const MAX_RESULT_WINDOW = 10_000;

const instant = z.iso.datetime({
  offset: true,
  message: "an RFC 3339 date-time, e.g. 2030-01-31T18:00:00Z",
});

/** `a,b,c` → ["a", "b", "c"], each checked by `item`. */
const commaList = <T extends z.ZodType<string, string>>(item: T, max: number) =>
  z
    .string()
    .max(2000)
    .transform((value) =>
      value
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1).max(max));

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    // Control characters have no place in a query; refuse them rather than guess.
    .refine((value) => !/\p{Cc}/u.test(value), "control characters are not allowed");

export const searchQuery = z
  .object({
    q: text(200).optional(),
    status: commaList(z.enum(EVENT_STATUSES), EVENT_STATUSES.length).optional(),
    category: text(50).pipe(z.string().min(1)).optional(),
    tags: commaList(z.string().max(50), 10).optional(),
    /** These events only (a list another API ranked: trending, say). */
    ids: commaList(eventIdSchema, 50).optional(),
    from: instant.optional(),
    to: instant.optional(),
    page: z.coerce.number().int().min(1).max(MAX_RESULT_WINDOW).default(1),
    size: z.coerce.number().int().min(1).max(50).default(10),
    /** relevance (live first, then soonest); newest: latest start first (recordings, "see all"). */
    sort: z.enum(["relevance", "newest"]).default("relevance"),
  })
  .refine((value) => value.page * value.size <= MAX_RESULT_WINDOW, {
    path: ["page"],
    message: `page × size must stay within the first ${MAX_RESULT_WINDOW} results`,
  })
  .refine((value) => !value.from || !value.to || new Date(value.from) <= new Date(value.to), {
    path: ["to"],
    message: "must not be before from",
  });

export const suggestQuery = z.object({
  q: text(100).pipe(z.string().min(1, "type at least one character")),
  size: z.coerce.number().int().min(1).max(10).default(10),
});

/** GET /api/events/:id/related: the event, and how many like it. */
export const relatedQuery = z.object({
  id: eventIdSchema,
  size: z.coerce.number().int().min(1).max(24).default(12),
});

export type SearchQuery = z.infer<typeof searchQuery>;
export type RelatedQuery = z.infer<typeof relatedQuery>;
export type SuggestQuery = z.infer<typeof suggestQuery>;
