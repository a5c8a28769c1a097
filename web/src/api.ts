// The platform's HTTP API, same origin (the edge). The session is an HttpOnly cookie the API
// sets at sign-in: this code never sees a token. Errors arrive as problem+json.
import type { FieldProblem, Notification, User, VideoEvent } from "@stream-platform/shared/api";

/**
 * The trace id a `traceresponse` header names (W3C Trace Context:
 * `00-<32 hex trace id>-<16 hex span id>-<flags>`), if it is one.
 */
export function traceIdOf(header: string | null | undefined): string | undefined {
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(header?.trim() ?? "");
  return match?.[1] && !/^0+$/.test(match[1]) ? match[1] : undefined;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldProblem[] = [],
    /** Seconds to wait before trying again (429, 503: the Retry-After header). */
    readonly retryAfter?: number,
    /** The trace of the request that failed (its answer's `traceresponse`), for operators. */
    readonly traceId?: string,
  ) {
    super(detail || title);
  }

  /** The message for one form field, if the API named it. */
  forField(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.detail;
  }
}

/** `body`: JSON, or a Blob sent with its own type. */
export async function request<T>(
  path: string,
  options: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const { body: sent } = options;
  // A file (a poster) goes as it is, with its own type; anything else as JSON.
  const file = sent instanceof Blob;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? (sent === undefined ? "GET" : "POST"),
      headers: sent === undefined ? {} : { "content-type": file ? sent.type : "application/json" },
      body: file ? sent : sent === undefined ? undefined : JSON.stringify(sent),
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "Offline", "the platform could not be reached; check your connection");
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get("content-type") ?? "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const problem: { title?: string; detail?: string; errors?: FieldProblem[] } =
      (typeof body === "object" && body) || {};
    throw new ApiError(
      response.status,
      problem.title ?? response.statusText,
      problem.detail ?? "",
      Array.isArray(problem.errors) ? problem.errors : [],
      Number(response.headers.get("retry-after")) || undefined,
      traceIdOf(response.headers.get("traceresponse")),
    );
  }
  return body as T;
}

// The shapes the functions answer with: the shared views, and a few read here only.
export type {
  Channel,
  EventStatus,
  Notification,
  Subscription,
  User,
  VideoEvent,
} from "@stream-platform/shared/api";

/** Whether the account holds the operator role: the operator console (`/ops`) is theirs. */
export const isOperator = (user: Pick<User, "roles"> | null | undefined): boolean =>
  // (An API from before roles answers without them: no role.)
  user?.roles?.includes("operator") ?? false;

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface SearchHit extends VideoEvent {
  channel?: { slug: string; title: string };
  /** HTML-escaped by the API, with <mark> around the matches. */
  highlight?: { title?: string; description?: string[] };
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
  facets: Record<"status" | "category" | "tags", { value: string; count: number }[]>;
  channels?: { id: string; slug: string; title: string }[];
}

export interface Inbox extends Page<Notification> {
  unread: number;
}

export interface EventFigures {
  eventId: string;
  live: boolean;
  concurrent: number;
  peak: number;
  unique: number;
}

export interface EventDetails extends EventFigures {
  watchSeconds: number;
  averageWatchSeconds: number;
  rebufferingRatio: number;
  timeline: { minute: string; viewers: number }[];
}
