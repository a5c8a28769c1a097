// A CloudEvents sink in its own process for benchmarks: answers 202 at once and keeps, per
// event, the delay between the time in its data (`note`: sent-at milliseconds) and arrival.
// GET /stats returns {count, latencies, sentAt, lastAt} (sentAt: each event's send time, in the
// order of latencies; lastAt: when the last event arrived, epoch ms); ?reset=1 also resets them.
// GET /count returns {count, lastAt} only.
import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 18290);
let latencies: number[] = [];
let sentAt: number[] = [];
let lastAt = 0;

createServer((req, res) => {
  if (req.method === "GET" && req.url === "/count") {
    // What a poller asks for: the whole lists would cost this sink more than the events.
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ count: latencies.length, lastAt }));
    return;
  }
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ count: latencies.length, latencies, sentAt, lastAt }));
    if (req.url === "/stats?reset=1") {
      latencies = [];
      sentAt = [];
    }
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const data = JSON.parse(Buffer.concat(chunks).toString()) as { note: string };
    lastAt = Date.now();
    sentAt.push(Number(data.note));
    latencies.push(lastAt - Number(data.note));
    res.writeHead(202).end();
  });
}).listen(port, "127.0.0.1", () => console.log("ready"));
