// The platform-internal credential: a shared secret (INTERNAL_TOKEN, the `internal-token` key of
// platform-secrets) that the eventing data plane sends to sinks and gRPC clients send to gRPC
// servers, so a caller that merely reaches them on the network is still refused.
import { timingSafeEqual } from "node:crypto";

export const internalToken = (): string | undefined => process.env.INTERNAL_TOKEN || undefined;

/** `Authorization` with the internal token, or nothing when this process has none. */
export function internalAuthorization(): Record<string, string> {
  const token = internalToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Whether an Authorization value carries `expected` (compared in constant time). */
export function carriesInternalToken(
  authorization: string | undefined,
  expected: string | undefined = internalToken(),
): boolean {
  if (!expected || !authorization?.startsWith("Bearer ")) return false;
  const given = Buffer.from(authorization.slice("Bearer ".length));
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
