// A load generator process for bench/chat.ts: opens SSE connections to chat gateways and
// records, per connection, which bench messages arrived (seq) and when. Run apart from the
// benchmark's own process so that reading 5,000 streams does not slow the posting or itself.
//   argv: JSON { urls: string[], count: number, first: number, total: number (seqs posted) }
// stdout: "ready" once every connection is open; then, told the accepted seqs on stdin, a JSON
//   line { histogram (1 ms buckets of latency), fanOut (the same, from the function's
//   acceptance, a sample), over, incomplete, missing, duplicates }.
import { connect } from "node:net";

const { urls, count, first, total } = JSON.parse(process.argv[2] ?? "{}") as {
  urls: string[];
  count: number;
  first: number;
  total: number;
};

const HISTOGRAM_MS = 20_000;
const histogram = new Uint32Array(HISTOGRAM_MS);
let over = 0;
/**
 * For one message in SAMPLE_EVERY, the part of its latency after the chat function accepted it
 * (its `sentAt`, the function's clock, which is this machine's): where a slow delivery is spent,
 * posting or fanning out.
 */
const SAMPLE_EVERY = 8;
const fanOut = new Uint32Array(HISTOGRAM_MS);
const SENT_AT = Buffer.from('","sentAt":"');
interface Client {
  /** One byte per seq: how many times it arrived (capped). */
  seen: Uint8Array;
  dups: number;
  /** What came after the last complete event. */
  rest?: Buffer;
}
const clients: Client[] = [];
// Read as bytes, not text: the clients must cost far less than what they measure (at 5,000
// clients and 100 messages/s, half a million messages a second arrive here).
// The bench's texts are "~SEQ SENT"; nothing else in a message has a "~" (a one-byte search).
const MARK = "~".charCodeAt(0);
const EVENT_END = Buffer.from("\n\n");
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/** The decimal number at `at` in `data`, and where it ends. */
function number(data: Buffer, at: number): [number, number] {
  let value = 0;
  let i = at;
  for (let c = data[i] ?? 0; c >= 48 && c <= 57; c = data[++i] ?? 0) value = value * 10 + c - 48;
  return [value, i];
}

function receive(client: Client, chunk: Buffer): void {
  const now = Date.now();
  const data = client.rest ? Buffer.concat([client.rest, chunk]) : chunk;
  const end = data.lastIndexOf(EVENT_END);
  // An event not yet whole is kept from its mark on (the rest of it, a chunk's framing, needs
  // no keeping): copied, as `chunk` is the shared read buffer.
  const open = data.indexOf(MARK, Math.max(end, 0));
  client.rest = open < 0 ? undefined : Buffer.from(data.subarray(open));
  for (
    let at = data.indexOf(MARK);
    at >= 0 && at < end && at !== open;
    at = data.indexOf(MARK, at)
  ) {
    const [seq, after] = number(data, at + 1);
    const [sent, next] = number(data, after + 1);
    at = next;
    const times = client.seen[seq] ?? 0;
    if (times > 0) {
      client.dups++;
      continue;
    }
    client.seen[seq] = 1;
    const latency = now - sent;
    if (latency >= 0 && latency < HISTOGRAM_MS) histogram[latency] = (histogram[latency] ?? 0) + 1;
    else over++;
    if (
      seq % SAMPLE_EVERY === 0 &&
      data.compare(SENT_AT, 0, SENT_AT.length, next, next + SENT_AT.length) === 0
    ) {
      const from = next + SENT_AT.length;
      const accepted = Date.parse(data.toString("latin1", from, from + 24));
      const after = now - accepted;
      if (after >= 0 && after < HISTOGRAM_MS) fanOut[after] = (fanOut[after] ?? 0) + 1;
    }
  }
}

/**
 * One stream, over a plain socket: the clients must cost far less than what they measure, and
 * HTTP's parser is most of a client's cost here. The body's chunk-size lines fall between SSE
 * events (the gateway writes whole events), where the scan for "~" never looks.
 */
function open(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const client: Client = { seen: new Uint8Array(total), dups: 0 };
    clients.push(client);
    const { hostname, port, pathname, search } = new URL(url);
    let head: Buffer | undefined = Buffer.alloc(0);
    const data = (chunk: Buffer) => {
      if (!head) return receive(client, chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const status = head.subarray(0, head.indexOf("\r\n")).toString();
      const body = head.subarray(end + 4);
      head = undefined;
      if (!/^HTTP\/1\.1 200 /.test(status)) {
        reject(new Error(`${url} answered ${status}`));
        socket.destroy();
        return;
      }
      resolve();
      if (body.length > 0) receive(client, body);
    };
    // Every socket reads into the one buffer (a read is handled before the next): no Buffer
    // made per read.
    const socket = connect(
      {
        port: Number(port),
        host: hostname,
        onread: {
          buffer: READ_BUFFER,
          callback: (n) => {
            data(READ_BUFFER.subarray(0, n));
            return true;
          },
        },
      },
      () => socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`),
    );
    socket.on("error", reject);
  });
}

async function main(): Promise<void> {
  const opening: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    opening.push(open(urls[(first + i) % urls.length] as string));
    // Not all at once: a burst of thousands of connects overflows the listen backlog.
    if (i % 200 === 199) await Promise.all(opening.slice(-200));
  }
  await Promise.all(opening);
  process.stdout.write("ready\n");
}

/** Against the seqs the chat accepted: how many connections missed one, and the duplicates. */
function report(accepted: number[]): void {
  let incomplete = 0;
  let missing = 0;
  let duplicates = 0;
  for (const client of clients) {
    const lost = accepted.filter((seq) => !client.seen[seq]).length;
    if (lost > 0) incomplete++;
    missing += lost;
    duplicates += client.dups;
  }
  process.stdout.write(
    `${JSON.stringify({ histogram: Array.from(histogram), fanOut: Array.from(fanOut), over, incomplete, missing, duplicates })}\n`,
    () => process.exit(0),
  );
}

// The parent writes "report [seq, …]" once posting is over and deliveries have settled.
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  input += chunk;
  const end = input.indexOf("\n");
  if (end >= 0 && input.startsWith("report ")) report(JSON.parse(input.slice(7, end)) as number[]);
});
main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
