// The live side of chat: GET /api/chat/stream?eventId=EVENT (through the edge) as Server-Sent
// Events, for anyone. Every instance consumes the chat topic (sse.ts), so each delivers every
// message of the rooms its clients are in. On joining a room a client gets its last 50
// messages; reconnecting with Last-Event-ID, what came after that message and the ids deleted
// since (both from the chat function's API), while live ones are held back to keep the order.
// `message` events carry the message id as their SSE id; `deleted` ones carry none, so a
// client's Last-Event-ID is always a message.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  clientKey,
  eventIdSchema,
  HttpProblem,
  invalidInput,
  type PlatformEvent,
  sendHttpProblem,
} from "@stream-platform/shared";
import type { ChatMessage } from "@stream-platform/shared/api";
import type { Consumer } from "kafkajs";
import { ChatRoom, type Connection, type Item } from "./chat-room.ts";
import {
  assertStarted,
  ConnectionCaps,
  consumeEverything,
  heartbeat,
  openEventStream,
  sseEvent,
} from "./sse.ts";

// Rooms are read without signing in, so streams are capped per client address (the edge's
// X-Forwarded-For; several people may share one, hence more than an account's).
const PER_ADDRESS = Number(process.env.SSE_MAX_PER_ADDRESS ?? 100);

export interface ChatGatewayOptions {
  /** Where the chat API is (the edge locally; the chat Service in a cluster). */
  chatUrl: string;
  heartbeatMs?: number;
  /** How long a join keeps asking the chat API before it gives up on the connection. */
  replayPatienceMs?: number;
  /** At most one write per connection per this long (CHAT_FLUSH_MS, 200). */
  flushMs?: number;
  log(entry: Record<string, unknown>): void;
}

const messageItem = (message: ChatMessage): Item => ({
  key: message.id,
  chunk: sseEvent("message", message, message.id),
  sentAt: Date.parse(message.sentAt),
});
const deletedItem = (id: string): Item => ({
  key: `deleted:${id}`,
  chunk: sseEvent("deleted", { id }),
  deletes: id,
});

export class ChatGateway {
  private readonly rooms = new Map<string, ChatRoom>();
  private consumer?: Consumer;
  private timer?: NodeJS.Timeout;
  private readonly caps = new ConnectionCaps(PER_ADDRESS, "this address");
  private readonly flushMs: number;

  constructor(private readonly options: ChatGatewayOptions) {
    this.flushMs = options.flushMs ?? Number(process.env.CHAT_FLUSH_MS ?? 200);
  }

  get connected(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.connections.size;
    return n;
  }

  async start(): Promise<void> {
    this.consumer = await consumeEverything("chat-gateway", "chat", (events) =>
      this.receive(events),
    );
    this.timer = heartbeat(() => this.responses(), this.options.heartbeatMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const room of this.rooms.values()) room.close();
    for (const res of this.responses()) res.end();
    await this.consumer?.disconnect();
  }

  private *responses(): Iterable<ServerResponse> {
    for (const room of this.rooms.values())
      for (const connection of room.connections) yield connection.res;
  }

  /** A batch from Kafka: each room's items, rendered once, to the room. */
  private receive(events: PlatformEvent[]): void {
    const byRoom = new Map<ChatRoom, Item[]>();
    for (const event of events) {
      let room: ChatRoom | undefined;
      let item: Item;
      if (event.type === "streamplatform.chat.posted") {
        const { messageId, ...data } = event.data;
        room = this.rooms.get(data.eventId);
        item = messageItem({ id: messageId, ...data });
      } else if (event.type === "streamplatform.chat.deleted") {
        room = this.rooms.get(event.data.eventId);
        item = deletedItem(event.data.messageId);
      } else continue;
      if (!room) continue;
      const items = byRoom.get(room) ?? [];
      items.push(item);
      byRoom.set(room, items);
    }
    for (const [room, items] of byRoom) room.push(items);
  }

  /** GET /api/chat/stream?eventId=…: anyone may read a room. */
  handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://gateway");
    const parsed = eventIdSchema.safeParse(url.searchParams.get("eventId") ?? undefined);
    if (!parsed.success) {
      sendHttpProblem(
        res,
        new HttpProblem(
          invalidInput([{ field: "eventId", detail: "an event id (evt_…) is required" }]),
        ),
      );
      return;
    }
    const eventId = parsed.data;
    let release: () => void;
    try {
      assertStarted(this.consumer, "chat");
      release = this.caps.admit(clientKey(req));
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      sendHttpProblem(res, error);
      return;
    }
    res.once("close", release);
    const header = req.headers["last-event-id"];
    const lastEventId =
      (typeof header === "string" && header) || url.searchParams.get("lastEventId") || undefined;
    openEventStream(res);
    const connection: Connection = { res };
    const room = this.rooms.get(eventId) ?? new ChatRoom(this.flushMs);
    this.rooms.set(eventId, room);
    room.add(connection);
    let closed = false;
    const leave = () => {
      if (closed) return;
      closed = true;
      room.delete(connection);
      if (room.connections.size === 0) {
        room.close();
        if (this.rooms.get(eventId) === room) this.rooms.delete(eventId);
      }
    };
    req.once("close", leave);
    // Newcomers share one read of the latest messages; a reconnect asks for its own gap.
    const missed = lastEventId
      ? await this.missed(eventId, lastEventId, () => closed)
      : await room.shared(() => this.missed(eventId, undefined, () => room.connections.size === 0));
    if (closed) return;
    if (!missed) {
      // Better a reconnect (with the same Last-Event-ID) than a gap nobody sees.
      leave();
      res.end();
      return;
    }
    room.joined(connection, [
      ...missed.items.map(messageItem),
      ...(missed.deleted ?? []).map(deletedItem),
    ]);
  };

  /**
   * The room's last messages, or what came after `lastEventId`, from the chat API; retried
   * while the function starts (or restarts), undefined if it never answers in time.
   */
  private async missed(
    eventId: string,
    lastEventId: string | undefined,
    gone: () => boolean,
  ): Promise<{ items: ChatMessage[]; deleted?: string[] } | undefined> {
    const query = new URLSearchParams(lastEventId ? { after: lastEventId, limit: "500" } : {});
    const url = `${this.options.chatUrl}/api/chat/events/${eventId}/messages?${query}`;
    const deadline = Date.now() + (this.options.replayPatienceMs ?? 15_000);
    for (let attempt = 0; !gone(); attempt++) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
        // A Last-Event-ID that is no message id: join as a newcomer.
        if (response.status === 400 && lastEventId) return this.missed(eventId, undefined, gone);
        if (response.ok) return (await response.json()) as { items: ChatMessage[] };
        await response.arrayBuffer();
        if (response.status === 404) return { items: [] };
        throw new Error(`the chat API answered ${response.status}`);
      } catch (error) {
        if (Date.now() > deadline) {
          this.options.log({ level: "warn", msg: "chat replay failed", error: String(error) });
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
    return undefined;
  }
}
