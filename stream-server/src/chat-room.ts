// One chat room's open streams, and the fan-out of its live messages to them. Writing to a socket
// costs the same whether it carries one message or fifty (a system call, waking the reader), so
// a room gathers what arrives and writes it at most once per `flushMs`, as one buffer shared by
// every connection: at 5,000 viewers and 100 messages/s, one write per message per viewer would
// be half a million system calls a second.
import type { ServerResponse } from "node:http";
import { SentIds } from "./sse.ts";

/** One SSE event for a room, rendered once for all its connections. */
export interface Item {
  /** What identifies it among redeliveries and replays (a message id, or `deleted:` and one). */
  key: string;
  chunk: string;
  /** When a message was sent (ms): one sent long ago has been published, so cannot come live. */
  sentAt?: number;
}

export interface Connection {
  res: ServerResponse;
  /** Live items held back while the join (or the replay after a reconnect) is being sent. */
  held?: Item[];
  /**
   * Keys this connection got in its join that the room has not yet seen live: messages
   * committed but not yet published (a function restarting) reach the room later, and must not
   * reach this connection twice. Only messages sent in the last `REPLAYED_MEMORY_MS` (older ones
   * are published: an outbox relays within seconds); emptied as they arrive, forgotten after it.
   */
  replayed?: Set<string>;
  forget?: NodeJS.Timeout;
}

/** A client this far behind (bytes not yet taken by its socket) is dropped; it reconnects. */
const MAX_BEHIND_BYTES = 8 * 1024 * 1024;
const CRLF = Buffer.from("\r\n");

/**
 * One flush's events, encoded once and written to every connection as they are: straight to
 * the socket, framed as an HTTP/1.1 chunk where the response is chunked. Through `res.write`
 * each connection would re-encode the text, frame it anew and cork its socket for a tick:
 * most of a flush's time at thousands of connections.
 */
class Frame {
  private readonly body: Buffer;
  private chunk?: Buffer;

  constructor(text: string) {
    this.body = Buffer.from(text);
  }

  writeTo(res: ServerResponse): void {
    const socket = res.socket;
    if (res.writableEnded) return;
    // Not yet given its socket (a pipelined request's answer waits its turn): buffered by res.
    if (!socket) {
      res.write(this.body);
      return;
    }
    if (!socket.writable) return;
    if (socket.writableLength > MAX_BEHIND_BYTES) {
      socket.destroy();
      return;
    }
    if (!res.chunkedEncoding) socket.write(this.body);
    else {
      this.chunk ??= Buffer.concat([
        Buffer.from(`${this.body.length.toString(16)}\r\n`),
        this.body,
        CRLF,
      ]);
      socket.write(this.chunk);
    }
  }
}

// Longer than any outbox delay: a relay publishes right after the commit, and a restarted
// function's relay sweeps what its predecessor left within seconds.
const REPLAYED_MEMORY_MS = 2 * 60_000;

export class ChatRoom {
  readonly connections = new Set<Connection>();
  /** Kafka may deliver an event again (a rebalance, a restart): the room drops it once. */
  private readonly seen = new SentIds(5000);
  private pending: Item[] = [];
  private timer?: NodeJS.Timeout;
  private lastFlush = 0;
  /**
   * A flush's writes take the event loop for as long as they take (thousands of sockets, on
   * cores shared with others); the next one waits as long again, so that Kafka's batches and
   * new connections are served in between and each write carries more messages.
   */
  private restUntil = 0;

  /** The read of the room's latest messages that newcomers added from now on will share. */
  private nextRead?: Promise<unknown>;
  /** The read under way. */
  private reading?: Promise<unknown>;

  constructor(private readonly flushMs: number) {}

  /**
   * `read()`'s answer, shared by every connection added before it starts: when thousands join
   * a room at once (a stream going live), the chat API is asked a few times, not thousands.
   * A read starts after the one under way, so it sees whatever the connections added meanwhile
   * have missed.
   */
  shared<T>(read: () => Promise<T>): Promise<T> {
    if (!this.nextRead) {
      const next = (this.reading ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => {
          this.nextRead = undefined;
          this.reading = next;
          return read();
        })
        .finally(() => {
          if (this.reading === next) this.reading = undefined;
        });
      this.nextRead = next;
    }
    return this.nextRead as Promise<T>;
  }

  /** Live items from Kafka, in order: written with the next flush. */
  push(items: Item[]): void {
    for (const item of items) if (this.seen.add(item.key)) this.pending.push(item);
    if (this.pending.length === 0 || this.timer) return;
    // After the rest of this batch, and no sooner than `flushMs` after the last flush.
    const wait = Math.max(
      0,
      this.lastFlush + this.flushMs - Date.now(),
      this.restUntil - Date.now(),
    );
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** A new connection; its join (`items`, from the chat API) is sent by `joined`. */
  add(connection: Connection): void {
    connection.held = [];
    this.connections.add(connection);
  }

  delete(connection: Connection): void {
    this.connections.delete(connection);
    clearTimeout(connection.forget);
  }

  /** The join (the last messages, or what was missed) and what arrived live meanwhile. */
  joined(connection: Connection, items: Item[]): void {
    const held = connection.held ?? [];
    delete connection.held;
    const keys = new Set<string>();
    const fresh: Item[] = [];
    for (const item of [...items, ...held])
      if (!keys.has(item.key)) {
        keys.add(item.key);
        fresh.push(item);
      }
    // What may still be flushed to this connection: items not yet arrived, and those waiting.
    const waiting = new Set(this.pending.map((item) => item.key));
    const recent = Date.now() - REPLAYED_MEMORY_MS;
    for (const item of items)
      if ((this.seen.has(item.key) && !waiting.has(item.key)) || (item.sentAt ?? recent) < recent)
        keys.delete(item.key);
    for (const item of held) if (!waiting.has(item.key)) keys.delete(item.key);
    if (keys.size > 0) {
      connection.replayed = keys;
      connection.forget = setTimeout(() => delete connection.replayed, REPLAYED_MEMORY_MS);
      connection.forget.unref();
    }
    if (fresh.length > 0) connection.res.write(fresh.map((item) => item.chunk).join(""));
  }

  private flush(): void {
    // A batch that came before the last round's rest was known: wait the rest out.
    const rest = this.restUntil - Date.now();
    if (rest > 0) {
      this.timer = setTimeout(() => this.flush(), rest);
      return;
    }
    this.timer = undefined;
    this.lastFlush = Date.now();
    const items = this.pending;
    this.pending = [];
    const all = new Frame(items.map((item) => item.chunk).join(""));
    const began = Date.now();
    // After the writes (sent as the current tick ends) and whatever I/O was ready meanwhile.
    setImmediate(() => {
      const now = Date.now();
      this.restUntil = now + (now - began);
    });
    for (const connection of this.connections) {
      if (connection.held) connection.held.push(...items);
      else if (connection.replayed) this.sendUnseen(connection, connection.replayed, items, all);
      else all.writeTo(connection.res);
    }
  }

  /** For a connection that may have had some of `items` in its join. */
  private sendUnseen(
    connection: Connection,
    replayed: Set<string>,
    items: Item[],
    all: Frame,
  ): void {
    const fresh = items.filter((item) => !replayed.delete(item.key));
    if (replayed.size === 0) delete connection.replayed;
    if (fresh.length === items.length) all.writeTo(connection.res);
    else if (fresh.length > 0) connection.res.write(fresh.map((item) => item.chunk).join(""));
  }

  /** Stops the pending flush (the gateway is stopping). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
