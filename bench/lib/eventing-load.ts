// The eventing benchmark's load generator, in a process of its own so that it never shares an
// event loop (or a core's time slice) with the dispatcher it measures. Run by bench/eventing.ts:
//   tsx eventing-load.ts batch URL TOKEN EVENTS BATCH CONCURRENCY
//   tsx eventing-load.ts paced URL TOKEN RATE SECONDS [CONNECTIONS]
// (CONNECTIONS, default 64: an overload test needs as many callers as a crowd has, or the
// queue builds here, in the client, where the platform can neither see nor shed it.)
// and prints one JSON line: what it sent, what the ingress accepted, and the rate it offered.
import { randomUUID } from "node:crypto";
import { toHttpBinary, toHttpStructured } from "@stream-platform/shared";
import { Agent, request } from "undici";

/** A diagnostic ping whose data says when it was sent (the sink measures from it). */
export const ping = (sentAt: number) => ({
  specversion: "1.0" as const,
  id: randomUUID(),
  source: "/bench/eventing",
  type: "streamplatform.diagnostic.ping",
  subject: `bench-${Math.floor(Math.random() * 1000)}`,
  datacontenttype: "application/json",
  data: { note: String(sentAt) },
  extensions: {},
});

export interface LoadReport {
  sent: number;
  accepted: number;
  statuses: Record<string, number>;
  /** Events per second actually offered (a loop that falls behind offers less than asked). */
  offered: number;
  startedAt: number;
  endedAt: number;
  /** CPU this generator spent sending (user + system, ms): the load's own share of the cores. */
  cpuMs: number;
}

let pool = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

/**
 * The answer's status; "503 without Retry-After" is told apart (shedding must say when to come
 * back), and 0 is a connection the edge dropped: counted, never thrown.
 */
async function post(
  url: string,
  headers: Record<string, string>,
  body: string | Buffer | null,
): Promise<number | string> {
  try {
    const response = await request(url, { method: "POST", headers, body, dispatcher: pool });
    await response.body.dump();
    const status = response.statusCode;
    return status === 503 && !response.headers["retry-after"] ? "503 without Retry-After" : status;
  } catch {
    return 0;
  }
}

async function batches(
  url: string,
  token: string,
  events: number,
  size: number,
  concurrency: number,
) {
  const statuses: Record<string, number> = {};
  let next = 0;
  let accepted = 0;
  const startedAt = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events) {
        const count = Math.min(size, events - next);
        next += count;
        const batch = Array.from({ length: count }, () =>
          JSON.parse(toHttpStructured(ping(Date.now())).body),
        );
        const status = await post(
          url,
          {
            "content-type": "application/cloudevents-batch+json",
            authorization: `Bearer ${token}`,
          },
          JSON.stringify(batch),
        );
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 202) accepted += count;
      }
    }),
  );
  const endedAt = Date.now();
  return {
    sent: events,
    accepted,
    statuses,
    offered: (events / (endedAt - startedAt)) * 1000,
    startedAt,
    endedAt,
  };
}

async function paced(
  url: string,
  token: string,
  rate: number,
  seconds: number,
  connections: number,
) {
  pool = new Agent({ connections, keepAliveTimeout: 30_000 });
  const statuses: Record<string, number> = {};
  const total = rate * seconds;
  let accepted = 0;
  const startedAt = Date.now();
  const posts: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = startedAt + (i * 1000) / rate - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const { headers, body } = toHttpBinary(ping(Date.now()));
    posts.push(
      post(url, { ...headers, authorization: `Bearer ${token}` }, body).then((status) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 202) accepted += 1;
      }),
    );
  }
  const sentAt = Date.now();
  await Promise.all(posts);
  return {
    sent: total,
    accepted,
    statuses,
    offered: (total / Math.max(1, sentAt - startedAt)) * 1000,
    startedAt,
    endedAt: Date.now(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mode, url, token, ...numbers] = process.argv.slice(2);
  const n = numbers.map(Number);
  if (!url || !token || n.some(Number.isNaN)) throw new Error("usage: see the header");
  const cpu = process.cpuUsage();
  const result =
    mode === "batch"
      ? await batches(url, token, n[0] ?? 0, n[1] ?? 100, n[2] ?? 16)
      : await paced(url, token, n[0] ?? 1000, n[1] ?? 10, n[2] ?? 64);
  const used = process.cpuUsage(cpu);
  const report: LoadReport = { ...result, cpuMs: (used.user + used.system) / 1000 };
  console.log(JSON.stringify(report));
  await pool.close();
}
