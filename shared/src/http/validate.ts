// Request bodies, parameters and queries are checked against zod schemas; what fails becomes a
// 400 that names each field.
import type { z } from "zod";
import type { FieldProblem } from "../cloudevents/format.ts";
import { HttpProblem, invalidInput } from "./problem.ts";

export function zodProblems(error: z.ZodError, prefix?: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join(".") || (prefix ?? "body"),
    detail: issue.message,
  }));
}

export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where = "",
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new HttpProblem(invalidInput(zodProblems(result.error, where || undefined)));
  return result.data;
}
