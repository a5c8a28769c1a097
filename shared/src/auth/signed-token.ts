// Tokens the platform signs for itself and checks without a lookup (view tokens, unsubscribe
// links): a JSON array of fields, base64url, a dot, an HMAC-SHA256 of it. Each purpose gets a
// key of its own derived from JWT_SECRET, so a token of one kind is never taken for another.
import { createHmac, timingSafeEqual } from "node:crypto";

// Derived once per purpose and secret: the aggregator checks thousands of tokens a second.
const keys = new Map<string, Buffer>();

function key(purpose: string, secret = process.env.JWT_SECRET): Buffer {
  if (!secret || secret.length < 32)
    throw new Error("JWT_SECRET must be set to at least 32 characters (local/ generates one)");
  const id = `${purpose}\n${secret}`;
  let derived = keys.get(id);
  if (!derived) {
    derived = createHmac("sha256", secret).update(purpose).digest();
    keys.set(id, derived);
  }
  return derived;
}

const mac = (purpose: string, payload: string, secret?: string) =>
  createHmac("sha256", key(purpose, secret)).update(payload).digest("base64url");

/** `secret`: JWT_SECRET unless given (a test or a load generator signing as the platform). */
export function signFields(purpose: string, fields: unknown[], secret?: string): string {
  const payload = Buffer.from(JSON.stringify(fields)).toString("base64url");
  return `${payload}.${mac(purpose, payload, secret)}`;
}

/** The fields a token carries if it is ours for `purpose`, else undefined. */
export function readFields(purpose: string, token: string): unknown[] | undefined {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(mac(purpose, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const fields: unknown = JSON.parse(Buffer.from(payload, "base64url").toString());
    return Array.isArray(fields) ? fields : undefined;
  } catch {
    return undefined;
  }
}
