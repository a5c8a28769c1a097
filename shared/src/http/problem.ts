// Errors over HTTP as RFC 9457 problem details (application/problem+json): a status, a title,
// a detail, and for invalid input the fields at fault.
import type { ServerResponse } from "node:http";
import type { FieldProblem } from "../cloudevents/format.ts";

export const PROBLEM_JSON = "application/problem+json";

export interface Problem {
  status: number;
  title: string;
  detail?: string;
  /** One entry per invalid field (`data.startsAt`, `[2].id`, `email`, …). */
  errors?: FieldProblem[];
  type?: string;
  instance?: string;
  /** Seconds, for 429 and 503. */
  retryAfter?: number;
}

export function problemBody(problem: Problem): Record<string, unknown> {
  const { retryAfter: _, ...body } = problem;
  return { type: "about:blank", ...body };
}

export function sendProblem(res: ServerResponse, problem: Problem): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { "content-type": PROBLEM_JSON };
  if (problem.retryAfter !== undefined) headers["retry-after"] = String(problem.retryAfter);
  res.writeHead(problem.status, headers);
  res.end(JSON.stringify(problemBody(problem)));
}

/** Answers a thrown HttpProblem (with its headers: WWW-Authenticate, say). */
export function sendHttpProblem(res: ServerResponse, error: HttpProblem): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendProblem(res, error.problem);
}

/** 503: something this needs is away for now; come back in `retryAfter` seconds. */
export const serviceUnavailable = (detail: string, retryAfter = 5): Problem => ({
  status: 503,
  title: "Service unavailable",
  detail,
  retryAfter,
});

/** 429: over a rate; come back in `retryAfter` seconds. */
export const tooManyRequests = (detail: string, retryAfter: number): Problem => ({
  status: 429,
  title: "Too many requests",
  detail,
  retryAfter,
});

/** 400 for invalid input, naming every field at fault in `detail` and in `errors`. */
export function invalidInput(errors: FieldProblem[], title = "Invalid request"): Problem {
  return {
    status: 400,
    title,
    detail: errors.map((e) => `${e.field}: ${e.detail}`).join("; "),
    errors,
  };
}

/** A problem thrown by a handler; the router answers it as problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail ?? problem.title);
    this.name = "HttpProblem";
  }
}

export const notFound = (detail: string) =>
  new HttpProblem({ status: 404, title: "Not found", detail });
export const forbidden = (detail: string) =>
  new HttpProblem({ status: 403, title: "Forbidden", detail });
export const conflict = (detail: string, field?: string) =>
  new HttpProblem({
    status: 409,
    title: "Conflict",
    detail,
    ...(field && { errors: [{ field, detail }] }),
  });
