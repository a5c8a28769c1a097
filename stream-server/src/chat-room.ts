// One chat room's open streams, and the fan-out of its live messages to them. Writing to a socket
// costs the same whether it carries one message or fifty (a system call, waking the reader), so
// each connection is written at most once per `flushMs`, everything it has not yet been sent as
// one buffer shared with the connections at the same point: at 5,000 viewers and 100 messages/s,
// one write per message per viewer would be half a million system calls a second.
// A large room's connections take turns of TURN_SIZE: with N turns, one is written every
// flushMs / N, so a message reaches every connection within about flushMs and the event loop is
// never held for longer than one turn's writes (Kafka's batches and new connections are served
// in between). Writing all at once, with a rest as long as the round after it, held the loop
// for rounds that grow with the load on the cores: a message arriving as one began waited for
// it, the rest and the next (bench:chat: p99 385–650 ms, against 270–390 ms in turns).
import type { ServerResponse } from "node:http";
import { SentIds } from "./sse.ts";

/** One SSE event for a room, rendered once for all its connections. */
export interface Item {
  /** What identifies it among redeliveries and replays (a message id, or `deleted:` and one). */
  key: string;
  chunk: string;
  /** When a message was sent (ms): one sent long ago has been published, so cannot come live. */
  sentAt?: number;
  /** The key of the item this one deletes. */
  deletes?: string;
}

export interface Connection {
  res: ServerResponse;
  /** How far into the room's live items this connection has been sent (set by `add`). */
  sent?: number;
  /** Its turn (set by `add`). */
  turn?: Set<Connection>;
  /**
   * Keys this connection got in its join that the room has not yet seen live: messages
   * committed but not yet published (a function restarting) reach the room later, and must not
   * reach this connection twice. Only messages sent in the last `REPLAYED_MEMORY_MS` (older ones
   * are published: an outbox relays within seconds); emptied as they arrive, forgotten after it.
   */
  replayed?: Set<string>;
  forget?: NodeJS.Timeout;
}

/** Items as the stream carries them, one after another. */
const text = (items: Item[]) => items.map((item) => item.chunk).join("");

/**
 * How many connections a turn writes at most. Fewer per turn (more turns) wakes their readers
 * more often for the same messages: at 5,000 connections in turns of 500 the gateway and its
 * clients took a third more CPU than in turns of 1,250 or 2,500, with a longer p99.
 */
export const TURN_SIZE = 1250;
/** A client this far behind (bytes not yet taken by its socket) is dropped; it reconnects. */
const MAX_BEHIND_BYTES = 8 * 1024 * 1024;
const CRLF = Buffer.from("\r\n");

/**
 * What a turn sends the connections at one point, encoded once and written to each as it is:
 * straight to the socket, framed as an HTTP/1.1 chunk where the response is chunked. Through
 * `res.write` each connection would re-encode the text, frame it anew and cork its socket for a
 * tick: most of a turn's time at thousands of connections.
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
  /**
   * Keys deleted: a message that reaches Kafka after its deletion (its publish failed, and the
   * outbox relayed it late) is not shown live.
   */
  private readonly deleted = new SentIds(5000);
  /** Live items in arrival order, from number `base` on: what some connection still needs. */
  private log: Item[] = [];
  private base = 0;
  private readonly turns: Set<Connection>[] = [];
  /**
   * How far each turn's connections have been sent (those that joined since may be further):
   * by turn, while it has connections.
   */
  private readonly turnSent = new Map<Set<Connection>, number>();
  /** Connections whose join is being read: live items wait in the log until it is sent. */
  private readonly joining = new Set<Connection>();
  /** When each turn with connections was last written (ms). */
  private readonly writtenAt = new Map<Set<Connection>, number>();
  /** The turn written next (an index into `turns`). */
  private next = 0;
  private timer?: NodeJS.Timeout;
  private closed = false;

  /** The read of the room's latest messages that newcomers added from now on will share. */
  private nextRead?: Promise<unknown>;
  /** The read under way. */
  private reading?: Promise<unknown>;

  constructor(private readonly flushMs: number) {}

  private get end(): number {
    return this.base + this.log.length;
  }

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

  /** Live items from Kafka, in order: each connection gets them at its next turn. */
  push(items: Item[]): void {
    if (this.closed) return;
    for (const item of items) {
      if (item.deletes) this.deleted.add(item.deletes);
      else if (this.deleted.has(item.key)) continue;
      if (this.seen.add(item.key)) this.log.push(item);
    }
    // After the rest of this batch: a turn writes what arrived together at once.
    if (!this.timer && !this.allSent()) this.timer = setTimeout(() => this.tick(), 0);
  }

  /** A new connection; its join (`items`, from the chat API) is sent by `joined`. */
  add(connection: Connection): void {
    let turn = this.turns.find((t) => t.size < TURN_SIZE);
    if (!turn) {
      turn = new Set();
      this.turns.push(turn);
    }
    if (turn.size === 0) this.turnSent.set(turn, this.end);
    turn.add(connection);
    connection.turn = turn;
    connection.sent = this.end;
    this.joining.add(connection);
    this.connections.add(connection);
  }

  delete(connection: Connection): void {
    this.connections.delete(connection);
    this.joining.delete(connection);
    const turn = connection.turn;
    turn?.delete(connection);
    if (turn?.size === 0) {
      this.turnSent.delete(turn);
      this.writtenAt.delete(turn);
    }
    clearTimeout(connection.forget);
  }

  /** The join (the last messages, or what was missed) and what arrived live meanwhile. */
  joined(connection: Connection, items: Item[]): void {
    if (this.closed) return;
    const held = this.log.slice((connection.sent ?? this.end) - this.base);
    this.joining.delete(connection);
    connection.sent = this.end;
    const keys = new Set<string>();
    const fresh: Item[] = [];
    for (const item of [...items, ...held])
      if (!keys.has(item.key)) {
        keys.add(item.key);
        fresh.push(item);
      }
    // What may still arrive live: replayed items the room has not seen, sent recently.
    const recent = Date.now() - REPLAYED_MEMORY_MS;
    const replayed = new Set<string>();
    for (const item of items)
      if (!this.seen.has(item.key) && (item.sentAt ?? recent) >= recent) replayed.add(item.key);
    if (replayed.size > 0) {
      connection.replayed = replayed;
      connection.forget = setTimeout(() => delete connection.replayed, REPLAYED_MEMORY_MS);
      connection.forget.unref();
    }
    if (fresh.length > 0) connection.res.write(text(fresh));
  }

  /** Whether every turn has been sent all that arrived. */
  private allSent(): boolean {
    for (const sent of this.turnSent.values()) if (sent < this.end) return false;
    return true;
  }

  /** Writes the next turn that has connections, then waits for the one after. */
  private tick(): void {
    this.timer = undefined;
    const live = this.turnSent.size;
    if (this.closed || live === 0) {
      this.forgetSent();
      return;
    }
    const began = Date.now();
    // With no interval to keep, every turn at once.
    for (let written = 0; written < (this.flushMs > 0 ? 1 : live); written++) {
      while ((this.turns[this.next % this.turns.length] as Set<Connection>).size === 0) this.next++;
      this.next %= this.turns.length;
      const turn = this.turns[this.next] as Set<Connection>;
      // At most once per flushMs for a connection, also when the room was idle in between:
      // the turn due may have been written just before.
      const due = (this.writtenAt.get(turn) ?? Number.NEGATIVE_INFINITY) + this.flushMs;
      if (due > began) {
        this.timer = setTimeout(() => this.tick(), due - began);
        return;
      }
      this.writeTurn(turn);
      this.next++;
    }
    const idle = this.allSent();
    if (this.next >= this.turns.length || idle) this.forgetSent();
    if (idle) return;
    const wait = this.flushMs / live - (Date.now() - began);
    this.timer = setTimeout(() => this.tick(), Math.max(0, wait));
  }

  private writeTurn(turn: Set<Connection>): void {
    const end = this.end;
    this.turnSent.set(turn, end);
    this.writtenAt.set(turn, Date.now());
    // Connections at the same point share one frame: a turn's are all at one, but those that
    // joined since.
    const frames = new Map<number, Frame>();
    for (const connection of turn) {
      const from = connection.sent ?? end;
      if (from >= end || this.joining.has(connection)) continue;
      connection.sent = end;
      if (connection.replayed) {
        this.sendUnseen(connection, connection.replayed, this.log.slice(from - this.base));
        continue;
      }
      let frame = frames.get(from);
      if (!frame) {
        frame = new Frame(text(this.log.slice(from - this.base)));
        frames.set(from, frame);
      }
      frame.writeTo(connection.res);
    }
  }

  /** Drops the items every connection has been sent (or holds in its join). */
  private forgetSent(): void {
    let needed = this.end;
    for (const sent of this.turnSent.values()) needed = Math.min(needed, sent);
    for (const connection of this.joining) needed = Math.min(needed, connection.sent ?? needed);
    if (needed > this.base) {
      this.log = this.log.slice(needed - this.base);
      this.base = needed;
    }
  }

  /** For a connection that may have had some of `items` in its join. */
  private sendUnseen(connection: Connection, replayed: Set<string>, items: Item[]): void {
    const fresh = items.filter((item) => !replayed.delete(item.key));
    if (replayed.size === 0) delete connection.replayed;
    if (fresh.length > 0) connection.res.write(text(fresh));
  }

  /** Stops the room for good (its last connection left, or the gateway is stopping). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
