// The live side of notifications: GET /api/me/notifications/stream (through the edge) as
// Server-Sent Events. Each stream-server instance consumes the notifications topic (sse.ts:
// every instance sees every notification and delivers those of the users connected to it),
// sends heartbeats, numbers events with the notification id, and on a reconnect with
// Last-Event-ID replays what was missed from the inbox API.
import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate, HttpProblem, sendHttpProblem, tokenOf } from "@stream-platform/shared";
import type { Notification } from "@stream-platform/shared/api";
import type { Consumer } from "kafkajs";
import {
  assertStarted,
  ConnectionCaps,
  consumeEverything,
  heartbeat,
  openEventStream,
  SentIds,
  sseEvent,
} from "./sse.ts";

// Streams one account may hold open on one gateway (tabs and devices; more is abuse).
const PER_ACCOUNT = Number(process.env.SSE_MAX_PER_ACCOUNT ?? 16);

/** What the inbox API lists, but for `read`: a new notification is unread. */
type View = Omit<Notification, "read">;

interface Connection {
  res: ServerResponse;
  /** Ids already sent on this connection: Kafka redelivers, replay overlaps. */
  sent: SentIds;
  /** Live notifications held back while the replay is being sent, to keep the order. */
  held?: View[];
}

export interface GatewayOptions {
  /** Where the inbox API is (the edge locally; the notifications Service in a cluster). */
  inboxUrl: string;
  heartbeatMs?: number;
  log(entry: Record<string, unknown>): void;
}

export class NotificationGateway {
  private readonly connections = new Map<string, Set<Connection>>();
  private consumer?: Consumer;
  private heartbeat?: NodeJS.Timeout;
  private readonly caps = new ConnectionCaps(PER_ACCOUNT, "this account");

  constructor(private readonly options: GatewayOptions) {}

  get connected(): number {
    let n = 0;
    for (const set of this.connections.values()) n += set.size;
    return n;
  }

  async start(): Promise<void> {
    this.consumer = await consumeEverything("sse-gateway", "notifications", (events) => {
      for (const event of events) {
        if (event.type !== "streamplatform.notification.created") continue;
        const data = event.data;
        this.deliver(data.userId, {
          id: data.notificationId,
          kind: data.kind,
          eventId: data.eventId,
          title: data.title,
          ...(data.channelTitle && { channelTitle: data.channelTitle }),
          createdAt: data.createdAt,
        });
      }
    });
    this.heartbeat = heartbeat(() => this.responses(), this.options.heartbeatMs);
  }

  private *responses(): Iterable<ServerResponse> {
    for (const set of this.connections.values()) for (const c of set) yield c.res;
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const set of this.connections.values()) for (const c of set) c.res.end();
    await this.consumer?.disconnect();
  }

  private send(connection: Connection, view: View): void {
    if (connection.sent.add(view.id)) connection.res.write(sseEvent("notification", view, view.id));
  }

  private deliver(userId: string, view: View): void {
    for (const connection of this.connections.get(userId) ?? []) {
      if (connection.held) connection.held.push(view);
      else this.send(connection, view);
    }
  }

  /** GET /api/me/notifications/stream: token in the header, the cookie, or ?token= (EventSource). */
  handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://gateway");
    const token = tokenOf(req) ?? url.searchParams.get("token") ?? undefined;
    let userId: string;
    let release: () => void;
    try {
      assertStarted(this.consumer, "notifications");
      if (!token) {
        throw new HttpProblem({
          status: 401,
          title: "Not signed in",
          detail:
            "send the session token as `Authorization: Bearer`, the session cookie or ?token=",
        });
      }
      userId = (await authenticate(token)).userId;
      release = this.caps.admit(userId);
    } catch (error) {
      if (error instanceof HttpProblem) {
        sendHttpProblem(res, error);
        return;
      }
      throw error;
    }
    // Counted until the response closes (the client went, or it was closed during the sign-in
    // check: then at once).
    res.once("close", release);
    if (res.destroyed) release();
    openEventStream(res);
    const lastEventId = req.headers["last-event-id"] ?? url.searchParams.get("lastEventId");
    const connection: Connection = { res, sent: new SentIds(), ...(lastEventId && { held: [] }) };
    const set = this.connections.get(userId) ?? new Set<Connection>();
    this.connections.set(userId, set);
    set.add(connection);
    req.once("close", () => {
      set.delete(connection);
      if (set.size === 0) this.connections.delete(userId);
    });
    if (typeof lastEventId === "string" && lastEventId) {
      try {
        for (const view of await this.missed(token, lastEventId)) this.send(connection, view);
      } catch (error) {
        this.options.log({
          level: "warn",
          msg: "notification replay failed",
          error: String(error),
        });
      }
      for (const view of connection.held ?? []) this.send(connection, view);
      delete connection.held;
    }
  };

  /** What came after `lastEventId`, oldest first, from the inbox API (as the user). */
  private async missed(token: string, lastEventId: string): Promise<View[]> {
    const views: View[] = [];
    let after = lastEventId;
    for (let page = 0; page < 10; page++) {
      const response = await fetch(
        `${this.options.inboxUrl}/api/me/notifications?${new URLSearchParams({ after, limit: "100" })}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      if (!response.ok) throw new Error(`the inbox answered ${response.status}`);
      const body = (await response.json()) as { items: (View & { read: boolean })[] };
      for (const { read: _, ...view } of body.items) views.push(view);
      const last = body.items.at(-1);
      if (!last || body.items.length < 100) break;
      after = last.id;
    }
    return views;
  }
}
