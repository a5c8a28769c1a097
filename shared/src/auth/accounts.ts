// A session token names an account; the account may be gone (deleted) while the token has not
// expired. Before a function honours a token it asks whether the account still exists: the
// subscriptions function, which owns accounts, from its own store; every other function over
// gRPC (AccountService), remembering a "yes" for a few seconds so that a page of requests costs
// one call. A deleted account's tokens are refused by its owner at once and everywhere within
// that time.
import { grpcClient } from "../grpc/lazy.ts";
import { GrpcStatus, isGrpcStatus } from "../grpc/status.ts";
import { HttpProblem, serviceUnavailable } from "../http/problem.ts";
import { BoundedMap } from "../util/bounded-map.ts";

/**
 * True when the account exists and, given a session id, that sign-in was not ended (signed out,
 * "sign out everywhere", a password change). Throws when that cannot be told now.
 */
export type AccountCheck = (userId: string, sessionId?: string) => Promise<boolean>;

/** How long a function trusts that an account it saw exists. */
export const ACCOUNT_CACHE_MS = 5000;

let check: AccountCheck | undefined;

/** Sets how this process tells that an account exists (the subscriptions function: its store). */
export function useAccountCheck(accountCheck: AccountCheck): void {
  check = accountCheck;
}

/** Remembers accounts that exist for `ttlMs`; asks again for any other. */
export function cachedAccountCheck(lookup: AccountCheck, ttlMs = ACCOUNT_CACHE_MS): AccountCheck {
  const seen = new BoundedMap<string, number>(50_000);
  return async (userId, sessionId) => {
    const key = `${userId}/${sessionId ?? ""}`;
    const until = seen.get(key);
    if (until !== undefined && until > Date.now()) return true;
    const exists = await lookup(userId, sessionId);
    if (exists) seen.set(key, Date.now() + ttlMs);
    else seen.delete(key);
    return exists;
  };
}

/** By default: AccountService over gRPC (its library loaded when first needed). */
function grpcAccountCheck(): AccountCheck {
  const accounts = grpcClient((grpc) => new grpc.AccountsClient());
  return cachedAccountCheck(async (userId, sessionId) => {
    try {
      await (await accounts()).getAccount(userId, sessionId);
      return true;
    } catch (error) {
      if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) return false;
      throw new HttpProblem(
        serviceUnavailable(
          "cannot tell now whether the session's account exists; try again shortly",
          2,
        ),
      );
    }
  });
}

let defaultCheck: AccountCheck | undefined;

/** Whether the account exists (and the session is not ended), by this process's check. */
export function accountExists(userId: string, sessionId?: string): Promise<boolean> {
  if (check) return check(userId, sessionId);
  defaultCheck ??= grpcAccountCheck();
  return defaultCheck(userId, sessionId);
}
