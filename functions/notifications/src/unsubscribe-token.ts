// Unsubscribe links: a token naming a person and one kind of mail, signed with a key derived
// from JWT_SECRET (HMAC-SHA256), so the link works without signing in and nobody can make one
// for someone else. It does not expire: a link in an old mail must still stop the mail.
import { createHmac, timingSafeEqual } from "node:crypto";
import { EMAIL_KINDS, type EmailKind } from "./email-store.ts";

function key(): Buffer {
  const secret = process.env.JWT_SECRET;
  if (!secret || secret.length < 32)
    throw new Error("JWT_SECRET must be set to at least 32 characters (local/ generates one)");
  // A key of its own: an unsubscribe token is never mistaken for anything else signed.
  return createHmac("sha256", secret).update("streamplatform unsubscribe v1").digest();
}

const mac = (payload: string) => createHmac("sha256", key()).update(payload).digest("base64url");

export function signUnsubscribe(userId: string, kind: EmailKind): string {
  const payload = Buffer.from(JSON.stringify([userId, kind])).toString("base64url");
  return `${payload}.${mac(payload)}`;
}

/** Who and what a token unsubscribes, if it is ours; else undefined. */
export function readUnsubscribe(token: string): { userId: string; kind: EmailKind } | undefined {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(mac(payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const [userId, kind] = JSON.parse(Buffer.from(payload, "base64url").toString()) as unknown[];
    if (typeof userId !== "string" || !EMAIL_KINDS.includes(kind as EmailKind)) return undefined;
    return { userId, kind: kind as EmailKind };
  } catch {
    return undefined;
  }
}
