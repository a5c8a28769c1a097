// An EventSource that does not give up. EventSource resumes a dropped stream with Last-Event-ID
// by itself, but gives up for good on an answer that is not 200 (the gateway restarting behind
// the edge: 502; its caps: 429, 503). Then a new one is opened after a pause (1 s, doubling up
// to 30 s), resuming from the last id seen (the gateways take it as `lastEventId`).

export interface EventStreamOptions {
  /** The stream's path and query, without `lastEventId`. */
  path: string;
  params?: Record<string, string>;
  /** One listener per SSE event name, with the event's JSON data. */
  on: Record<string, (data: unknown) => void>;
  connected(open: boolean): void;
}

/** Follows the stream until the returned function is called. */
export function followEventStream({ path, params, on, connected }: EventStreamOptions): () => void {
  let source: EventSource | undefined;
  let lastId = "";
  let pause = 1000;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    const query = new URLSearchParams({ ...params, ...(lastId && { lastEventId: lastId }) });
    const current = new EventSource(`${path}?${query}`);
    source = current;
    current.addEventListener("open", () => {
      pause = 1000;
      connected(true);
    });
    current.addEventListener("error", () => {
      connected(false);
      if (current.readyState !== EventSource.CLOSED) return;
      retry = setTimeout(open, pause);
      pause = Math.min(pause * 2, 30_000);
    });
    for (const [name, listener] of Object.entries(on))
      current.addEventListener(name, (event) => {
        const message = event as MessageEvent<string>;
        if (message.lastEventId) lastId = message.lastEventId;
        listener(JSON.parse(message.data));
      });
  };
  open();
  return () => {
    clearTimeout(retry);
    source?.close();
  };
}
