// An SSE client for tests, parsed as EventSource would: each event's id, name and JSON data,
// collected as they arrive, with a wait for one that matches.
import { until } from "./wait.ts";

export interface SseEvent<T = unknown> {
  id?: string;
  event: string;
  data: T;
}

export interface SseStream<T = unknown> {
  status: number;
  events: SseEvent<T>[];
  /** Whether the stream is over (ended by the server, broken, or closed). */
  ended: boolean;
  waitFor(
    what: string,
    match: (e: SseEvent<T>) => boolean,
    timeoutMs?: number,
  ): Promise<SseEvent<T>>;
  close(): void;
}

export async function openSse<T = unknown>(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseStream<T>> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const stream: SseStream<T> = {
    status: response.status,
    events: [],
    ended: false,
    waitFor: (what, match, timeoutMs = 10_000) =>
      until(
        `${what} (got ${JSON.stringify(stream.events.map((e) => [e.event, e.id]))})`,
        () => stream.events.find(match),
        timeoutMs,
      ),
    close: () => abort.abort(),
  };
  if (!response.ok || !response.body) {
    // An answer that is not a stream (a 502 while the gateway restarts, a 429) is over at once.
    await response.arrayBuffer();
    stream.ended = true;
    return stream;
  }
  const body = response.body as AsyncIterable<Uint8Array>;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const fields = new Map<string, string>();
          for (const line of buffer.slice(0, end).split("\n")) {
            const colon = line.indexOf(":");
            if (colon > 0)
              fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ""));
          }
          buffer = buffer.slice(end + 2);
          const data = fields.get("data");
          if (data !== undefined)
            stream.events.push({
              ...(fields.has("id") && { id: fields.get("id") }),
              event: fields.get("event") ?? "message",
              data: JSON.parse(data) as T,
            });
        }
      }
    } catch {
      // closed by us, or the connection broke
    } finally {
      stream.ended = true;
    }
  })();
  return stream;
}
