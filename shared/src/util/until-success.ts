import { log } from "../log.ts";
/**
 * Start-up work (migrations, say) that callers await: run once, remembered once it succeeds,
 * tried again by the next caller if it failed — so a database that was down at start does not
 * leave the function broken until restarted.
 */
export function untilSuccess<T>(work: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => {
    current ??= work().catch((error: unknown) => {
      current = undefined;
      throw error;
    });
    return current;
  };
}

/** untilSuccess, with a first attempt started now (its failure logged, not thrown). */
export function startupWork<T>(work: () => Promise<T>): () => Promise<T> {
  return beginNow(untilSuccess(work));
}

/** Starts a first attempt of `ready` (an untilSuccess) now, its failure logged, not thrown. */
export function beginNow<T>(ready: () => Promise<T>): () => Promise<T> {
  ready().catch((error: unknown) =>
    log({
      level: "warn",
      msg: "start-up work failed; retrying on the next request",
      error: String(error),
    }),
  );
  return ready;
}
