// Clients at addresses of their own on the loopback network (127.x.y.z), as distinct clients
// behind the edge would be: limits per address (kept in PostgreSQL) that other tests spend are
// not theirs.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
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
