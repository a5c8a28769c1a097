// Clients at addresses of their own on the loopback network (127.x.y.z), as distinct clients
// behind the edge would be: limits per address (kept in PostgreSQL) that other tests spend are
// not theirs.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, createServer, type Socket } from "node:net";
import { serviceUrls } from "../config.ts";

/** A fresh 127.x.y.z for each run, so earlier runs' buckets do not count. */
export const freshAddress = () =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;

/** Requests to the edge from `localAddress` (JSON in, JSON out). */
export function clientAt(localAddress: string) {
  return (
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Record<string, unknown> }>(
      (resolve, reject) => {
        const url = new URL(`${serviceUrls().edgeUrl}${path}`);
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            localAddress,
            method: init.method ?? (init.body === undefined ? "GET" : "POST"),
            headers: {
              ...(init.body !== undefined && { "content-type": "application/json" }),
              ...init.headers,
            },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              text += chunk;
            });
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
              }),
            );
          },
        );
        req.on("error", reject);
        req.end(init.body === undefined ? undefined : JSON.stringify(init.body));
      },
    );
}

/**
 * A TCP relay whose connections reach `target` from `localAddress`: for clients that cannot
 * pick their source address (ffmpeg publishing RTMP), as distinct publishers behind the edge.
 */
export async function relayFrom(
  localAddress: string,
  target: { host: string; port: number },
): Promise<{ port: number; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ ...target, localAddress });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.pipe(b);
      a.on("error", () => b.destroy());
      a.on("close", () => {
        open.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the relay has no port");
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
