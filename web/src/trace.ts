// Where an operator reads a request's trace: the console's summary names a URL template
// (`traceUrl`: the console's own "/ops/traces/{traceId}", or another viewer's address; null
// when there is none). Asked once for an
// operator and kept; never asked for anyone else (the API refuses them).
import { useEffect, useState } from "preact/hooks";
import { isOperator, request, type User } from "./api.ts";

/** undefined: not known yet; null: the platform has no trace viewer. */
let template: string | null | undefined;
let asking: Promise<void> | undefined;
/** When asking last failed (ms): not asked again for a while. */
let failedAt = Number.NEGATIVE_INFINITY;
const RETRY_MS = 30_000;
const listeners = new Set<(template: string | null) => void>();

/** Keeps the template the console's summary named (the console reads it every few seconds). */
export function keepTraceUrl(url: string | null): void {
  if (url === template) return;
  template = url;
  for (const listener of listeners) listener(url);
}

function ask(): void {
  if (template !== undefined || asking || Date.now() - failedAt < RETRY_MS) return;
  asking = request<{ traceUrl?: string | null }>("/api/ops/summary").then(
    (summary) => keepTraceUrl(summary.traceUrl ?? null),
    () => {
      failedAt = Date.now();
    },
  );
  asking.finally(() => {
    asking = undefined;
  });
}

/** The trace viewer's URL template, for an operator (asked once); undefined for anyone else. */
export function useTraceUrl(user: User | null | undefined): string | null | undefined {
  const operator = isOperator(user);
  const [url, setUrl] = useState(template);
  useEffect(() => {
    if (!operator) return;
    listeners.add(setUrl);
    if (template !== undefined) setUrl(template);
    else ask();
    return () => {
      listeners.delete(setUrl);
    };
  }, [operator]);
  return operator ? url : undefined;
}
