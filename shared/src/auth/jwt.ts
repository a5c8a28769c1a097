// Session tokens: JWTs signed with HS256 and a secret from configuration (JWT_SECRET). Anything
// else — another algorithm (`none` included), a wrong signature, an expired or malformed token —
// is refused with 401.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { errors, jwtVerify, SignJWT } from "jose";
import { HttpProblem } from "../http/problem.ts";
import { BoundedMap } from "../util/bounded-map.ts";
import { accountExists } from "./accounts.ts";

const ISSUER = "stream-platform";
const AUDIENCE = "stream-platform";

export interface Session {
  userId: string;
  /** The sign-in this token belongs to (a row of accounts' sessions): revoked, it is refused. */
  sessionId: string;
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
  sessionId: string,
  ttlSeconds = sessionTtlSeconds(),
): Promise<string> {
  return new SignJWT({ sid: sessionId })
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

/**
 * Tokens whose signature and claims were checked, with when they expire (ms). A person's
 * requests carry the same token again and again; checking its HMAC (WebCrypto, asynchronous)
 * was a third of a millisecond of every chat post. Keyed by the whole token, signature
 * included, so only the very token that was verified is taken; its expiry is still enforced.
 */
const verified = new BoundedMap<string, { session: Session; expiresAt: number }>(20_000);

export async function verifySession(token: string): Promise<Session> {
  const known = verified.get(token);
  if (known) {
    if (Date.now() < known.expiresAt) return known.session;
    verified.delete(token);
    throw unauthorized("the session token has expired");
  }
  return verifyToken(token);
}

async function verifyToken(token: string): Promise<Session> {
  try {
    const { payload } = await jwtVerify(token, secretKey(), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    if (!payload.sub) throw unauthorized("the token names no user");
    // Tokens from before sessions could be revoked name none: they cannot be, so they are not
    // honoured (signing in again gives one that is).
    if (typeof payload.sid !== "string") throw unauthorized("sign in again: the token is too old");
    // Frozen: every request with this token gets this object.
    const session = Object.freeze({ userId: payload.sub, sessionId: payload.sid });
    // A token without `exp` is not remembered: every use checks it again.
    if (payload.exp !== undefined) verified.set(token, { session, expiresAt: payload.exp * 1000 });
    return session;
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    if (error instanceof errors.JWTExpired) throw unauthorized("the session token has expired");
    throw unauthorized("the session token is not valid");
  }
}

/** A token that is valid and whose account still exists (see accounts.ts), or a 401 problem. */
export async function authenticate(token: string): Promise<Session> {
  const session = await verifySession(token);
  if (!(await accountExists(session.userId, session.sessionId)))
    throw unauthorized("this session was ended, or its account no longer exists");
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

const DEVICE_AUDIENCE = "stream-platform-device";
const DEVICE_TTL_SECONDS = 365 * 86_400;

/**
 * A device token: proof that this browser signed in to the account before. Sign-in failures
 * from everyone else are limited per account; a device's are limited on their own, so guessing
 * an account's password from elsewhere cannot lock its owner out.
 */
export function signDevice(userId: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(DEVICE_AUDIENCE)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${DEVICE_TTL_SECONDS}s`)
    .sign(secretKey());
}

/** The device token's id when it is valid and of this account, else undefined. */
export async function deviceOf(
  token: string | undefined,
  userId: string,
): Promise<string | undefined> {
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, secretKey(), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: DEVICE_AUDIENCE,
      subject: userId,
    });
    return payload.jti;
  } catch {
    return undefined;
  }
}

/** A cookie of the request by name. */
export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  const cookie = req.headers.cookie
    ?.split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${name}=`));
  return cookie ? decodeURIComponent(cookie.slice(name.length + 1)) : undefined;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request comes from another site: by `Sec-Fetch-Site` where the browser sends it,
 * else (older browsers) by an `Origin` that is not this host.
 */
function crossSite(req: IncomingMessage, site: string | string[] | undefined): boolean {
  if (site) return site !== "same-origin";
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    // By name: the edge passes Host without its port.
    return new URL(origin).hostname !== new URL(`http://${req.headers.host ?? ""}`).hostname;
  } catch {
    return true;
  }
}

/** The signed-in user, or a 401 problem. */
export async function requireSession(req: IncomingMessage): Promise<Session> {
  const token = tokenOf(req);
  if (!token) throw unauthorized("sign in first: send `Authorization: Bearer <token>`");
  // A cookie rides along with any request the browser makes: a write on its strength must come
  // from a page of this origin (SameSite=Strict already keeps other sites' requests cookieless).
  const byCookie = !req.headers.authorization?.startsWith("Bearer ");
  const site = req.headers["sec-fetch-site"];
  if (byCookie && !SAFE_METHODS.has(req.method ?? "GET") && crossSite(req, site))
    throw new HttpProblem({
      status: 403,
      title: "Cross-site request refused",
      detail: "a write with the session cookie must come from this site's own pages",
    });
  return authenticate(token);
}
