// A GET of JSON from a server the console reads (the metrics server, the trace store), answered
// within a few seconds or failing with `unavailable`'s error; the server's address in a message
// loses any credentials it carries (messages reach the console).
export function shownUrl(base: string): string {
  try {
    const url = new URL(base);
    url.username = "";
    url.password = "";
    return url.href.replace(/\/$/, "");
  } catch {
    return "(an invalid URL)";
  }
}

export async function getJson<T>(
  base: string,
  path: string,
  timeoutMs: number,
  unavailable: (message: string) => Error,
): Promise<{ status: number; body?: T }> {
  try {
    const response = await fetch(`${base.replace(/\/$/, "")}${path}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return { status: 404 };
    }
    return { status: response.status, body: (await response.json()) as T };
  } catch (error) {
    throw unavailable(`${shownUrl(base)}: ${(error as Error).message}`);
  }
}
