/** `work`'s result, or a rejection once `ms` have passed without one (`work` goes on unheard). */
export function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    // Timers run before I/O in the event loop's turn: after a busy stretch, an answer already
    // in the socket is read first (setImmediate runs after I/O), not taken for no answer.
    timer = setTimeout(
      () => setImmediate(() => reject(new Error(`no answer within ${ms} ms`))),
      ms,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
