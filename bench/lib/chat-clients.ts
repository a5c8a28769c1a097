// A load generator process for bench/chat.ts: opens SSE connections to chat gateways and
// records, per connection, which bench messages arrived (seq) and when. Run apart from the
// benchmark's own process so that reading 5,000 streams does not slow the posting or itself.
//   argv: JSON { urls: string[], count: number, first: number }
// stdout: "ready" once every connection is open; then, told the accepted seqs on stdin, a JSON
//   line { histogram (1 ms buckets of latency), over, incomplete, missing, duplicates }.
import { request } from "node:http";

const { urls, count, first } = JSON.parse(process.argv[2] ?? "{}") as {
  urls: string[];
  count: number;
  first: number;
};

const HISTOGRAM_MS = 20_000;
const histogram = new Uint32Array(HISTOGRAM_MS);
let over = 0;
interface Client {
  seen: Set<number>;
  dups: number;
  rest: string;
}
const clients: Client[] = [];
const pattern = /"text":"b (\d+) (\d+)"/g;

function open(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const client: Client = { seen: new Set(), dups: 0, rest: "" };
    clients.push(client);
    const req = request(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`${url} answered ${res.statusCode}`));
        return;
      }
      res.setEncoding("utf8");
      resolve();
      res.on("data", (chunk: string) => {
        const now = Date.now();
        const text = client.rest + chunk;
        const end = text.lastIndexOf("\n\n");
        client.rest = end < 0 ? text : text.slice(end + 2);
        if (end < 0) return;
        pattern.lastIndex = 0;
        const whole = text.slice(0, end);
        for (let m = pattern.exec(whole); m; m = pattern.exec(whole)) {
          const seq = Number(m[1]);
          if (client.seen.has(seq)) {
            client.dups++;
            continue;
          }
          client.seen.add(seq);
          const latency = now - Number(m[2]);
          if (latency >= 0 && latency < HISTOGRAM_MS)
            histogram[latency] = (histogram[latency] ?? 0) + 1;
          else over++;
        }
      });
    });
    req.on("error", reject);
    req.end();
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
    const lost = accepted.filter((seq) => !client.seen.has(seq)).length;
    if (lost > 0) incomplete++;
    missing += lost;
    duplicates += client.dups;
  }
  process.stdout.write(
    `${JSON.stringify({ histogram: Array.from(histogram), over, incomplete, missing, duplicates })}\n`,
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
