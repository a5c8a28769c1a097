// The drill's chat case: people post steadily to a room that three browsers follow (each
// reconnecting with its Last-Event-ID, as EventSource does) while the chat function and then the
// gateway (stream-server) are SIGKILLed; every message the chat accepted (201) reaches every
// browser exactly once.
import { serviceUrls } from "@stream-platform/shared";
import {
  api,
  newUser,
  openSse,
  type SseStream,
  type TestUser,
  until,
} from "@stream-platform/shared/testing";
import { functionBack, functionPid, killFunction, killServer, restartServer } from "./breakers.ts";

/** A browser in a room: reconnects after any break with the last id it got. */
class Browser {
  readonly ids: string[] = [];
  private stream?: SseStream<{ id: string }>;
  private stopped = false;

  constructor(private readonly eventId: string) {}

  async run(): Promise<void> {
    while (!this.stopped) {
      const last = this.ids.at(-1);
      this.stream = await openSse<{ id: string }>(
        `${serviceUrls().edgeUrl}/api/chat/stream?eventId=${this.eventId}`,
        last ? { "last-event-id": last } : {},
      ).catch(() => undefined);
      const stream = this.stream;
      let read = 0;
      while (stream && !stream.ended && !this.stopped) {
        for (const e of stream.events.slice(read))
          if (e.event === "message" && e.id) this.ids.push(e.id);
        read = stream.events.length;
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const e of stream?.events.slice(read) ?? [])
        if (e.event === "message" && e.id) this.ids.push(e.id);
      // EventSource's retry (the gateway says 3 s; sooner here).
      if (!this.stopped) await new Promise((r) => setTimeout(r, 500));
    }
  }

  stop(): void {
    this.stopped = true;
    this.stream?.close();
  }
}

export interface ChatDrill {
  accepted: string[];
  /** Per browser: accepted messages it never got, and ids it got twice. */
  browsers: { missing: string[]; duplicated: string[] }[];
}

export async function chatDrill(owner: TestUser, channelId: string): Promise<ChatDrill> {
  const event = await api<{ id: string }>("/api/events", {
    token: owner.token,
    body: {
      channelId,
      title: "Chat drill",
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  if (event.status !== 201) throw new Error(`chat drill: event ${event.status}`);
  const eventId = event.body.id;
  const browsers = [new Browser(eventId), new Browser(eventId), new Browser(eventId)];
  const running = browsers.map((b) => b.run());
  // Six people, a message each in turn every 200 ms: within each one's rate limit.
  const people = await Promise.all(Array.from({ length: 6 }, (_, i) => newUser(`drill-chat${i}`)));
  const accepted: string[] = [];
  let posting = true;
  const poster = (async () => {
    for (let n = 0; posting; n++) {
      const who = people[n % people.length] as TestUser;
      const answer = await api<{ id: string }>(`/api/chat/events/${eventId}/messages`, {
        token: who.token,
        body: { text: `drill ${n}` },
      }).catch(() => undefined);
      // Anything but a 201 was not accepted (503 while the function restarts, a broken
      // connection): the person would send it again; what matters is what was accepted.
      if (answer?.status === 201) accepted.push(answer.body.id);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const atLeast = async (n: number) =>
    until(`${n} messages accepted`, () => (accepted.length >= n ? true : undefined), 60_000, 100);
  await atLeast(10);
  const chat = await killFunction("chat");
  console.log(`chat: pid ${chat} killed with ${accepted.length} messages accepted`);
  await functionBack("chat", chat).catch(async () => functionPid("chat"));
  await atLeast(accepted.length + 10);
  await killServer("stream-server");
  console.log(`chat: stream-server (the gateway) killed with ${accepted.length} messages accepted`);
  await atLeast(accepted.length + 5);
  await restartServer("stream-server");
  await atLeast(accepted.length + 10);
  posting = false;
  await poster;
  await until(
    "every accepted message in every browser",
    () => (browsers.every((b) => accepted.every((id) => b.ids.includes(id))) ? true : undefined),
    90_000,
    250,
  ).catch(() => undefined);
  for (const b of browsers) b.stop();
  await Promise.all(running);
  return {
    accepted,
    browsers: browsers.map((b) => ({
      missing: accepted.filter((id) => !b.ids.includes(id)),
      duplicated: b.ids.filter((id, i) => b.ids.indexOf(id) !== i),
    })),
  };
}
