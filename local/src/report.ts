// Progress output for long work: every line names the server it is about.
const started = Date.now();

function stamp(): string {
  return `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
}

export function progress(server: string, message: string): void {
  console.log(`${stamp()} [${server}] ${message}`);
}

/** Prints "still …" every `everyMs` while `work` runs, so a slow download never looks hung. */
export async function withHeartbeat<T>(
  server: string,
  what: string,
  work: Promise<T>,
  everyMs = 15_000,
): Promise<T> {
  const since = Date.now();
  const timer = setInterval(() => {
    progress(server, `still ${what} (${Math.round((Date.now() - since) / 1000)}s)`);
  }, everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
