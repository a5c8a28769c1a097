// The browser's session: the token in an HttpOnly cookie, which scripts (an injected one
// included) cannot read; SameSite=Strict keeps other sites from sending it. Beside it, a
// `signed_in=1` cookie that holds no secret tells the app whether to ask who is signed in (rather
// than asking and getting a 401 on every visit). API clients use the token of the answer with
// `Authorization: Bearer` instead.
import type { IncomingMessage } from "node:http";
import { sessionTtlSeconds } from "./jwt.ts";

/**
 * Secure by configuration (`COOKIE_SECURE=true`: a deployment behind any TLS terminator, which
 * the edge cannot see), else where the edge itself speaks HTTPS.
 */
export const secureCookies = (req: IncomingMessage) =>
  process.env.COOKIE_SECURE === "true" || req.headers["x-forwarded-proto"] === "https";

const attributes = (req: IncomingMessage, path = "/") =>
  `Path=${path}; SameSite=Strict${secureCookies(req) ? "; Secure" : ""}`;

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

const DEVICE_MAX_AGE = 365 * 86_400;

/** The device token (jwt.ts: signDevice), sent back only to sign-in. */
export const deviceCookie = (req: IncomingMessage, token: string) =>
  `device=${encodeURIComponent(token)}; Max-Age=${DEVICE_MAX_AGE}; HttpOnly; ${attributes(req, "/api/sessions")}`;
