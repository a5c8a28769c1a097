// Accounts and sessions: sign up, sign in and out, sessions (listed, ended everywhere), the
// password changed, the signed-in person's account, deleting it.
import {
  clearedSessionCookies,
  clientAddress,
  clientKey,
  cookieOf,
  deviceCookie,
  deviceOf,
  type Handler,
  HttpProblem,
  hashPassword,
  needsRehash,
  parseInput,
  requireSession,
  sessionCookies,
  signDevice,
  signSession,
  tokenOf,
  verifyNothing,
  verifyPassword,
  verifySession,
} from "@stream-platform/shared";
import type { Mailer } from "@stream-platform/shared/mail";
import { SharedRateLimiter } from "@stream-platform/shared/postgres";
import { sendAccountExists, sendVerification } from "./email.ts";
import { requireStrongPassword } from "./password-policy.ts";
import { changePasswordBody, deleteAccountBody, signInBody, signUpBody } from "./schemas.ts";
import { type Store, uniqueViolation } from "./store.ts";

// Limits every instance shares (PostgreSQL), so replicas do not multiply them and scaling to
// zero does not reset them.
// Sign-in attempts: 20 a second with bursts of 100 from one address.
const signInsByAddress = new SharedRateLimiter("sign-in:address", 20, 100);
// Failed sign-ins, counted only when the password was wrong: 10 a minute for one account from
// one address (or one device that signed in before), and 60 an hour for one account from
// everywhere but its known devices. A guesser exhausts their own budget; the owner still signs
// in from a device they used before, or from another address.
const failuresByAddress = new SharedRateLimiter("sign-in:failures", 1 / 6, 10);
const failuresByAccount = new SharedRateLimiter("sign-in:account-failures", 1 / 60, 60);
// Sign-ups hash a password (memory and CPU): 2 a second with bursts of 60 from one address.
const signUpsByAddress = new SharedRateLimiter("sign-up:address", 2, 60);
// Checking the password of a signed-in account (deleting it, changing the password): no faster
// guessing there than at sign-in.
const passwordChecksByAccount = new SharedRateLimiter("password-check:account", 1 / 6, 10);

const signInFailed = () =>
  new HttpProblem({ status: 401, title: "Sign-in failed", detail: "wrong email or password" });

/** The same answer whether the email was free or not: sign-up cannot tell who has an account. */
const signUpAnswer = (email: string) => ({
  status: 202,
  body: {
    email,
    detail:
      "if no account had this email, it has one now: sign in with it; if one had, its owner is told at their next sign-in",
  },
});

export function accountHandlers(store: Store, mailer: Mailer) {
  const signUp: Handler = async ({ req }) => {
    const input = parseInput(signUpBody, req.body);
    await signUpsByAddress.checkAddress(req, "sign-ups from this address");
    await requireStrongPassword(input.password, "password", [input.email, input.displayName]);
    // Hashed whether or not the email is taken: both answers take the same time. Either way a
    // mail goes out (a link to verify the address, or its owner told of the attempt), sent
    // after the answer so its time does not tell the two apart.
    const passwordHash = await hashPassword(input.password);
    try {
      await sendVerification(store, mailer, await store.createUser(input, passwordHash));
    } catch (error) {
      if (!uniqueViolation(error)) throw error;
      await store.noteSignUpAttempt(input.email);
      await sendAccountExists(store, mailer, input.email);
    }
    return signUpAnswer(input.email);
  };

  const signIn: Handler = async ({ req }) => {
    await signInsByAddress.checkAddress(req, "sign-in attempts from this address");
    const input = parseInput(signInBody, req.body);
    const email = input.email.toLowerCase();
    const account = await store.credentials(email);
    // A browser that signed in to this account before is limited on its own (see above).
    const device = account ? await deviceOf(cookieOf(req, "device"), account.id) : undefined;
    const failureKey = device ? `device:${device}` : `${email}|${clientKey(req)}`;
    const what = "failed sign-ins for this account";
    const limited = async (limiter: SharedRateLimiter, key: string) => {
      const wait = await limiter.peek(key);
      if (wait > 0)
        throw new HttpProblem({
          status: 429,
          title: "Too many requests",
          detail: `too many ${what}: try again in ${wait} s`,
          retryAfter: wait,
        });
    };
    await limited(failuresByAddress, failureKey);
    if (!device) await limited(failuresByAccount, email);
    // Same answer, and about the same time, whether the email or the password was wrong.
    const valid = account
      ? await verifyPassword(input.password, account.passwordHash)
      : await verifyNothing(input.password);
    if (!account || !valid) {
      await failuresByAddress.take(failureKey);
      if (!device) await failuresByAccount.take(email);
      throw signInFailed();
    }
    // Hashes made with older parameters are replaced while the password is at hand.
    if (needsRehash(account.passwordHash))
      await store.setPasswordHash(account.id, await hashPassword(input.password));
    const sessionId = await store.createSession(
      account.id,
      String(req.headers["user-agent"] ?? ""),
      clientAddress(req),
    );
    const token = await signSession(account.id, sessionId);
    if (account.signUpAttemptedAt) await store.clearSignUpAttempt(account.id);
    // The token for API clients, and the same as an HttpOnly cookie for the browser app.
    return {
      status: 200,
      body: {
        token,
        userId: account.id,
        ...(account.signUpAttemptedAt && {
          notices: [
            `someone tried to make an account with your email on ${account.signUpAttemptedAt}; it was not made`,
          ],
        }),
      },
      headers: {
        "set-cookie": [
          ...sessionCookies(req, token),
          deviceCookie(req, await signDevice(account.id)),
        ],
      },
    };
  };

  /** The signed-in person's password checked again (limited like sign-in), or a 403. */
  const checkPassword = async (userId: string, password: string, field: string) => {
    await passwordChecksByAccount.check(userId, "password checks for this account");
    const hash = await store.passwordHashOf(userId);
    if (!hash || !(await verifyPassword(password, hash)))
      throw new HttpProblem({
        status: 403,
        title: "Password required",
        detail: "the password does not match this account",
        errors: [{ field, detail: "does not match" }],
      });
  };

  // Signing out ends the session: its token (cookie or bearer) is refused from now on.
  const signOut: Handler = async ({ req }) => {
    const token = tokenOf(req);
    const session = token ? await verifySession(token).catch(() => undefined) : undefined;
    if (session) await store.endSession(session.userId, session.sessionId);
    return { status: 204, headers: { "set-cookie": clearedSessionCookies(req) } };
  };

  /** The account's sessions (sign-ins not ended), the one asking marked `current`. */
  const sessions: Handler = async ({ req }) => {
    const { userId, sessionId } = await requireSession(req);
    const list = await store.sessionsOf(userId);
    return {
      status: 200,
      body: list.map((session) => ({ ...session, current: session.id === sessionId })),
    };
  };

  // "Sign out everywhere": every session of the account ends, this one too; tokens are refused
  // here at once and by every other function within ACCOUNT_CACHE_MS.
  const endSessions: Handler = async ({ req }) => {
    const { userId } = await requireSession(req);
    await store.endSessions(userId);
    return { status: 204, headers: { "set-cookie": clearedSessionCookies(req) } };
  };

  // A new password, with the current one; every other session ends (whoever knew the old one).
  const changePassword: Handler = async ({ req }) => {
    const { userId, sessionId } = await requireSession(req);
    const input = parseInput(changePasswordBody, req.body);
    await checkPassword(userId, input.currentPassword, "currentPassword");
    const user = await store.user(userId);
    await requireStrongPassword(input.newPassword, "newPassword", [
      user?.email ?? "",
      user?.displayName ?? "",
    ]);
    await store.setPasswordHash(userId, await hashPassword(input.newPassword));
    await store.endSessions(userId, sessionId);
    // Reset links mailed before no longer apply to this password.
    await store.dropEmailTokens(userId, "reset");
    return { status: 204 };
  };

  const me: Handler = async ({ req }) => {
    const { userId } = await requireSession(req);
    const user = await store.user(userId);
    if (!user)
      throw new HttpProblem({
        status: 401,
        title: "Not signed in",
        detail: "this account no longer exists",
      });
    return { status: 200, body: user };
  };

  // The account, its channels and subscriptions go; its session tokens are refused from now on
  // (shared/src/auth/accounts.ts), and the browser's cookies are cleared.
  const deleteAccount: Handler = async ({ req }) => {
    const { userId } = await requireSession(req);
    const input = parseInput(deleteAccountBody, req.body);
    await checkPassword(userId, input.password, "password");
    await store.deleteUser(userId);
    return { status: 204, headers: { "set-cookie": clearedSessionCookies(req) } };
  };

  return {
    signUp,
    signIn,
    signOut,
    sessions,
    endSessions,
    changePassword,
    me,
    deleteAccount,
  };
}
