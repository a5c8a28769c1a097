// A page that could not load, with a way on rather than a dead end.
import { ApiError } from "../api.ts";
import { ErrorNote } from "./status.tsx";
import { TraceLink } from "./trace-link.tsx";

/**
 * A missing event or channel (deleted, or a mistyped link) says so in words; any other
 * failure says what went wrong. Both offer home and the list of all events.
 */
export function PageError({ error, what }: { error: unknown; what: string }) {
  // 400 here: the address names something that cannot exist (not an event id at all).
  const missing = error instanceof ApiError && (error.status === 404 || error.status === 400);
  return (
    <section class="page-error">
      <h1>{missing ? `This ${what} is not here` : `The ${what} could not be loaded`}</h1>
      {missing ? (
        <p>
          It may have been deleted, or the link is mistyped.
          <TraceLink error={error} />
        </p>
      ) : (
        <ErrorNote error={error} />
      )}
      <p>
        <a href="/">Back home</a> · <a href="/search">Browse all events</a>
      </p>
    </section>
  );
}
