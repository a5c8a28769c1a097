// Unsubscribe links: a token naming a person and one kind of mail, signed with a key derived
// from JWT_SECRET (HMAC-SHA256), so the link works without signing in and nobody can make one
// for someone else. It does not expire: a link in an old mail must still stop the mail.
import { readFields, signFields } from "@stream-platform/shared";
import { EMAIL_KINDS, type EmailKind } from "./email-store.ts";

const PURPOSE = "streamplatform unsubscribe v1";

export function signUnsubscribe(userId: string, kind: EmailKind): string {
  return signFields(PURPOSE, [userId, kind]);
}

/** Who and what a token unsubscribes, if it is ours; else undefined. */
export function readUnsubscribe(token: string): { userId: string; kind: EmailKind } | undefined {
  const [userId, kind] = readFields(PURPOSE, token) ?? [];
  if (typeof userId !== "string" || !EMAIL_KINDS.includes(kind as EmailKind)) return undefined;
  return { userId, kind: kind as EmailKind };
}
