// Session tokens: JWTs signed with HS256 and a secret from configuration (JWT_SECRET). Anything
// else — another algorithm (`none` included), a wrong signature, an expired or malformed token —
// is refused with 401.
import type { IncomingMessage } from "node:http";
import { errors, jwtVerify, SignJWT } from "jose";
import { HttpProblem } from "../http/problem.ts";
import { accountExists } from "./accounts.ts";

const ISSUER = "stream-platform";
const AUDIENCE = "stream-platform";

export interface Session {
  userId: string;
}

function secretKey(): Uint8Array {
  const secret = process.env.JWT_SECRET;
  if (!secret || secret.length < 32) {
    throw new Error("JWT_SECRET must be set to at least 32 characters (local/ generates one)");
  }
  return new TextEncoder().encode(secret);
}

export const sessionTtlSeconds = () => Number(process.env.SESSION_TTL_SECONDS ?? 86_400);

export async function signSession(
  userId: string,
  ttlSeconds = sessionTtlSeconds(),
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secretKey());
}

const unauthorized = (detail: string) =>
  new HttpProblem(
    { status: 401, title: "Not signed in", detail },
    { "www-authenticate": 'Bearer realm="stream-platform"' },
  );

export async function verifySession(token: string): Promise<Session> {
  try {
    const { payload } = await jwtVerify(token, secretKey(), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    if (!payload.sub) throw unauthorized("the token names no user");
    return { userId: payload.sub };
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    if (error instanceof errors.JWTExpired) throw unauthorized("the session token has expired");
    throw unauthorized("the session token is not valid");
  }
}

/** A token that is valid and whose account still exists (see accounts.ts), or a 401 problem. */
export async function authenticate(token: string): Promise<Session> {
  const session = await verifySession(token);
  if (!(await accountExists(session.userId)))
    throw unauthorized("the account of this session no longer exists");
  return session;
}

/** The bearer token of a request: `Authorization: Bearer …`, or the `session` cookie. */
export function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) return header.slice(7).trim();
  const cookie = req.headers.cookie
    ?.split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith("session="));
  return cookie ? decodeURIComponent(cookie.slice("session=".length)) : undefined;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The signed-in user, or a 401 problem. */
export async function requireSession(req: IncomingMessage): Promise<Session> {
  const token = tokenOf(req);
  if (!token) throw unauthorized("sign in first: send `Authorization: Bearer <token>`");
  // A cookie rides along with any request the browser makes: a write on its strength must come
  // from a page of this origin (SameSite=Strict already keeps other sites' requests cookieless).
  const byCookie = !req.headers.authorization?.startsWith("Bearer ");
  const site = req.headers["sec-fetch-site"];
  if (byCookie && !SAFE_METHODS.has(req.method ?? "GET") && site && site !== "same-origin")
    throw new HttpProblem({
      status: 403,
      title: "Cross-site request refused",
      detail: "a write with the session cookie must come from this site's own pages",
    });
  return authenticate(token);
}
