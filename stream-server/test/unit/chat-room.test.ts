// A chat room's fan-out: live items written at most once per flush interval to every connection
// (straight to its socket, as an HTTP chunk; a large room's connections in turns), redeliveries
// dropped once for the room, a join's replay never repeated by what arrives live, and
// newcomers' reads of the latest messages shared.
import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ChatRoom, type Connection, type Item, TURN_SIZE } from "../../src/chat-room.ts";

/** A response whose socket keeps what is written (as text), chunked as HTTP/1.1's are. */
function connection(): Connection & { text(): string } {
  const written: string[] = [];
  const socket = {
    writable: true,
    writableLength: 0,
    write: (data: Buffer) => written.push(data.toString()),
  };
  const res = {
    socket,
    chunkedEncoding: true,
    writableEnded: false,
    write: (data: string) => written.push(data),
  } as unknown as ServerResponse;
  return { res, text: () => written.join("") };
}

const item = (key: string): Item => ({ key, chunk: `id: ${key}\ndata: ${key}\n\n` });
const flushed = () => new Promise((resolve) => setTimeout(resolve, 20));
const ids = (text: string) => [...text.matchAll(/^id: (\S+)$/gm)].map((m) => m[1]);

describe("ChatRoom", () => {
  it("writes what arrived together once per connection, as one HTTP chunk", async () => {
    const room = new ChatRoom(0);
    const [a, b] = [connection(), connection()];
    for (const c of [a, b]) {
      room.add(c);
      room.joined(c, []);
    }
    room.push([item("m1")]);
    room.push([item("m2")]);
    await flushed();
    const body = "id: m1\ndata: m1\n\nid: m2\ndata: m2\n\n";
    for (const c of [a, b]) expect(c.text()).toBe(`${body.length.toString(16)}\r\n${body}\r\n`);
  });

  it("drops a redelivered item for the whole room", async () => {
    const room = new ChatRoom(0);
    const c = connection();
    room.add(c);
    room.joined(c, []);
    room.push([item("m1"), item("m2")]);
    await flushed();
    room.push([item("m2"), item("m1"), item("m3")]);
    await flushed();
    expect(ids(c.text())).toEqual(["m1", "m2", "m3"]);
  });

  it("does not show a message that arrives after its deletion", async () => {
    const room = new ChatRoom(0);
    const c = connection();
    room.add(c);
    room.joined(c, []);
    room.push([{ ...item("deleted:m1"), deletes: "m1" }, item("m2")]);
    await flushed();
    room.push([item("m1"), item("m3")]);
    await flushed();
    expect(ids(c.text())).toEqual(["deleted:m1", "m2", "m3"]);
  });

  it("sends a join's replay and what arrived meanwhile once, and never again live", async () => {
    const room = new ChatRoom(0);
    const c = connection();
    room.add(c);
    // Live while the replay is read: m2 (also in the replay) and m3.
    room.push([item("m2"), item("m3")]);
    await flushed();
    expect(c.text()).toBe("");
    // The replay holds m1 and m2, and m4: committed, its event not yet published.
    room.joined(c, [item("m1"), item("m2"), item("m4")]);
    expect(ids(c.text())).toEqual(["m1", "m2", "m4", "m3"]);
    room.push([item("m4"), item("m5")]);
    await flushed();
    expect(ids(c.text())).toEqual(["m1", "m2", "m4", "m3", "m5"]);
  });

  it("remembers only replayed messages recent enough to be unpublished", () => {
    const room = new ChatRoom(0);
    const c = connection();
    room.add(c);
    const old = { ...item("m1"), sentAt: Date.now() - 10 * 60_000 };
    room.joined(c, [old]);
    expect(c.replayed).toBeUndefined();
    const d = connection();
    room.add(d);
    room.joined(d, [{ ...item("m2"), sentAt: Date.now() }]);
    expect([...(d.replayed ?? [])]).toEqual(["m2"]);
    expect(d.forget).toBeDefined();
    room.delete(d);
    expect(room.connections.has(d)).toBe(false);
  });

  describe("in turns", () => {
    afterEach(() => vi.useRealTimers());

    it("writes a large room's turns apart, each connection at most once per flush interval", () => {
      vi.useFakeTimers();
      const room = new ChatRoom(100);
      const all = Array.from({ length: TURN_SIZE + 1 }, () => connection());
      for (const c of all) {
        room.add(c);
        room.joined(c, []);
      }
      const first = all[0] as ReturnType<typeof connection>;
      const last = all[TURN_SIZE] as ReturnType<typeof connection>;
      room.push([item("m1")]);
      vi.advanceTimersByTime(1);
      expect(ids(first.text())).toEqual(["m1"]);
      expect(ids(last.text())).toEqual([]);
      // Two turns: the second half a flush interval after the first.
      room.push([item("m2")]);
      vi.advanceTimersByTime(49);
      expect(ids(last.text())).toEqual(["m1", "m2"]);
      expect(ids(first.text())).toEqual(["m1"]);
      vi.advanceTimersByTime(49);
      expect(ids(first.text())).toEqual(["m1"]);
      vi.advanceTimersByTime(2);
      expect(ids(first.text())).toEqual(["m1", "m2"]);
      // Nothing new: no more writes, and no timer left running.
      vi.advanceTimersByTime(500);
      expect(ids(first.text())).toEqual(["m1", "m2"]);
      expect(vi.getTimerCount()).toBe(0);
    });

    it("after going idle, writes a connection no sooner than the interval after its last write", () => {
      vi.useFakeTimers();
      const room = new ChatRoom(100);
      const c = connection();
      room.add(c);
      room.joined(c, []);
      room.push([item("m1")]);
      vi.advanceTimersByTime(1);
      expect(ids(c.text())).toEqual(["m1"]);
      // Written and nothing else waiting: idle. A message 10 ms later waits out the interval.
      vi.advanceTimersByTime(10);
      room.push([item("m2")]);
      vi.advanceTimersByTime(80);
      expect(ids(c.text())).toEqual(["m1"]);
      vi.advanceTimersByTime(15);
      expect(ids(c.text())).toEqual(["m1", "m2"]);
      // Long after the last write: at once.
      vi.advanceTimersByTime(1000);
      room.push([item("m3")]);
      vi.advanceTimersByTime(1);
      expect(ids(c.text())).toEqual(["m1", "m2", "m3"]);
    });

    it("writes nothing once closed", () => {
      vi.useFakeTimers();
      const room = new ChatRoom(100);
      const c = connection();
      room.add(c);
      room.joined(c, []);
      room.close();
      room.push([item("m1")]);
      vi.advanceTimersByTime(500);
      expect(c.text()).toBe("");
      expect(vi.getTimerCount()).toBe(0);
    });

    it("keeps what arrives while a join is read, however many turns pass meanwhile", () => {
      vi.useFakeTimers();
      const room = new ChatRoom(100);
      const [live, joining] = [connection(), connection()];
      room.add(live);
      room.joined(live, []);
      room.add(joining);
      for (const key of ["m1", "m2", "m3"]) {
        room.push([item(key)]);
        vi.advanceTimersByTime(150);
      }
      expect(ids(live.text())).toEqual(["m1", "m2", "m3"]);
      expect(joining.text()).toBe("");
      room.joined(joining, [item("m0")]);
      expect(ids(joining.text())).toEqual(["m0", "m1", "m2", "m3"]);
      room.push([item("m4")]);
      vi.advanceTimersByTime(150);
      expect(ids(joining.text())).toEqual(["m0", "m1", "m2", "m3", "m4"]);
      expect(ids(live.text())).toEqual(["m1", "m2", "m3", "m4"]);
    });
  });

  it("shares one read of the latest messages among those who join together", async () => {
    const room = new ChatRoom(0);
    let reads = 0;
    let release: () => void = () => {};
    const read = () => {
      reads++;
      const n = reads;
      return new Promise<number>((resolve) => {
        release = () => resolve(n);
      });
    };
    const first = [room.shared(read), room.shared(read), room.shared(read)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(1);
    // Joined while that read is under way: a read of its own, after it.
    const later = room.shared(read);
    const firstRelease = release;
    firstRelease();
    expect(await Promise.all(first)).toEqual([1, 1, 1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(2);
    release();
    expect(await later).toBe(2);
  });
});
