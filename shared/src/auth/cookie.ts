// The browser's session: the token in an HttpOnly cookie, which scripts (an injected one
// included) cannot read; SameSite=Strict keeps other sites from sending it. Beside it, a
// `signed_in=1` cookie that holds no secret tells the app whether to ask who is signed in (rather
// than asking and getting a 401 on every visit). API clients use the token of the answer with
// `Authorization: Bearer` instead.
import type { IncomingMessage } from "node:http";
import { sessionTtlSeconds } from "./jwt.ts";

const attributes = (req: IncomingMessage) =>
  // Secure where the edge speaks HTTPS (behind TLS termination, as on a cluster).
  `Path=/; SameSite=Strict${req.headers["x-forwarded-proto"] === "https" ? "; Secure" : ""}`;

export function sessionCookies(req: IncomingMessage, token: string): string[] {
  const maxAge = `Max-Age=${sessionTtlSeconds()}`;
  return [
    `session=${encodeURIComponent(token)}; ${maxAge}; HttpOnly; ${attributes(req)}`,
    `signed_in=1; ${maxAge}; ${attributes(req)}`,
  ];
}

export function clearedSessionCookies(req: IncomingMessage): string[] {
  return [
    `session=; Max-Age=0; HttpOnly; ${attributes(req)}`,
    `signed_in=; Max-Age=0; ${attributes(req)}`,
  ];
}
