// "View trace": from an API error to the trace of the request that failed (its answer's
// `traceresponse`), for operators only; anyone else sees the error as before.
import { ApiError } from "../api.ts";
import { traceHref, traceTarget } from "../ops.ts";
import { useSession } from "../session.ts";
import { useTraceUrl } from "../trace.ts";

export function TraceLink({ error }: { error: unknown }) {
  const url = useTraceUrl(useSession());
  const traceId = error instanceof ApiError ? error.traceId : undefined;
  if (!traceId || url === undefined) return null;
  // No trace viewer: the id still lets an operator find the trace and the logs (trace_id).
  if (url === null)
    return (
      <span class="trace-link muted">
        {" "}
        (trace <code data-testid="trace-id">{traceId}</code>)
      </span>
    );
  const href = traceHref(url, traceId);
  return (
    <>
      {" "}
      <a class="trace-link" href={href} {...traceTarget(href)} data-trace-id={traceId}>
        View trace
      </a>
    </>
  );
}
