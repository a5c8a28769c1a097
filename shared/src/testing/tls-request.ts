// One HTTP(S) request with node's own client, for what fetch cannot do: trust a CA given here
// (the edge's local one), send a header fetch forbids, or read every Set-Cookie as sent.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** GET (or, with `body`, a JSON POST) `url`; an https one verified against `ca` when given. */
export function requestAt(
  url: string,
  init: { body?: unknown; headers?: Record<string, string>; ca?: Buffer } = {},
): Promise<Answer> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: init.body === undefined ? "GET" : "POST",
        headers: {
          ...(init.body !== undefined && { "content-type": "application/json" }),
          ...init.headers,
        },
        ...(init.ca && { ca: init.ca }),
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(init.body === undefined ? undefined : JSON.stringify(init.body));
  });
}

/** The Set-Cookie line of the cookie `name` in an answer. */
export const cookieNamed = (answer: Answer, name: string) =>
  (answer.headers["set-cookie"] ?? []).find((c) => c.startsWith(`${name}=`));
