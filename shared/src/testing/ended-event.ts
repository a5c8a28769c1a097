// An event that was streamed and ended, for tests: made through the events API, then a stream's
// start and end posted to /ce as stream-server would, each waited for (live, then ended).
import { randomUUID } from "node:crypto";
import { api, postToIngress } from "./platform.ts";
import { until } from "./wait.ts";

export interface EndedEventSpec {
  channelId: string;
  title: string;
  category?: string;
  tags?: string[];
}

/** Its id, once the events API says it ended (a recording to watch again). */
export async function endedEvent(ownerToken: string, spec: EndedEventSpec): Promise<string> {
  const made = await api<{ id: string }>("/api/events", {
    token: ownerToken,
    body: { ...spec, startsAt: new Date(Date.now() + 60_000).toISOString() },
  });
  if (made.status !== 201)
    throw new Error(`the event was not made: ${made.status} ${JSON.stringify(made.body)}`);
  const eventId = made.body.id;
  const stream = {
    streamId: `str_${randomUUID().slice(0, 8)}`,
    channelId: spec.channelId,
    eventId,
  };
  for (const [type, at, status] of [
    ["streamplatform.stream.started", "startedAt", "live"],
    ["streamplatform.stream.ended", "endedAt", "ended"],
  ] as const) {
    await until(`${type} taken`, async () => {
      const answer = await postToIngress({
        specversion: "1.0",
        id: randomUUID(),
        source: "/stream-server",
        type,
        subject: spec.channelId,
        datacontenttype: "application/json",
        data: { ...stream, [at]: new Date().toISOString() },
        extensions: {},
      });
      return answer === 202 ? true : undefined;
    });
    await until(`event ${status}`, async () => {
      const event = await api<{ status: string }>(`/api/events/${eventId}`);
      return event.body.status === status ? true : undefined;
    });
  }
  return eventId;
}
