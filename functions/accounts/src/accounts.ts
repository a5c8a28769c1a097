// Accounts and sessions: sign up, sign in and out, the signed-in person's account, deleting it.
import {
  clearedSessionCookies,
  clientAddress,
  conflict,
  type Handler,
  HttpProblem,
  hashPassword,
  parseInput,
  RateLimiter,
  requireSession,
  sessionCookies,
  signSession,
  verifyNothing,
  verifyPassword,
} from "@stream-platform/shared";
import { deleteAccountBody, signInBody, signUpBody } from "./schemas.ts";
import { type Store, uniqueViolation } from "./store.ts";

// 20 a second with bursts of 100 from one address; 10 a minute (bursts of 10) for one account.
const signInsByAddress = new RateLimiter(20, 100);
const signInsByAccount = new RateLimiter(1 / 6, 10);
// Deleting an account checks its password: no faster guessing there than at sign-in.
const passwordChecksByAccount = new RateLimiter(1 / 6, 10);

export function accountHandlers(store: Store) {
  const signUp: Handler = async ({ req }) => {
    const input = parseInput(signUpBody, req.body);
    try {
      const user = await store.createUser(input, await hashPassword(input.password));
      return { status: 201, body: user, headers: { location: `/api/users/${user.id}` } };
    } catch (error) {
      if (uniqueViolation(error)) throw conflict("an account with this email exists", "email");
      throw error;
    }
  };

  const signIn: Handler = async ({ req }) => {
    // Password guessing: bounded per address, and per account whoever guesses.
    signInsByAddress.check(clientAddress(req), "sign-in attempts from this address");
    const input = parseInput(signInBody, req.body);
    signInsByAccount.check(input.email.toLowerCase(), "sign-in attempts for this account");
    const account = await store.credentials(input.email);
    // Same answer, and about the same time, whether the email or the password was wrong.
    const valid = account
      ? await verifyPassword(input.password, account.passwordHash)
      : await verifyNothing(input.password);
    if (!account || !valid)
      throw new HttpProblem({
        status: 401,
        title: "Sign-in failed",
        detail: "wrong email or password",
      });
    const token = await signSession(account.id);
    // The token for API clients, and the same as an HttpOnly cookie for the browser app.
    return {
      status: 200,
      body: { token, userId: account.id },
      headers: { "set-cookie": sessionCookies(req, token) },
    };
  };

  // Signing out ends the browser's session (a bearer token simply stops being sent).
  const signOut: Handler = ({ req }) => ({
    status: 204,
    headers: { "set-cookie": clearedSessionCookies(req) },
  });

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
    passwordChecksByAccount.check(userId, "password checks for this account");
    const hash = await store.passwordHashOf(userId);
    if (!hash || !(await verifyPassword(input.password, hash)))
      throw new HttpProblem({
        status: 403,
        title: "Password required",
        detail: "the password does not match this account",
        errors: [{ field: "password", detail: "does not match" }],
      });
    await store.deleteUser(userId);
    return { status: 204, headers: { "set-cookie": clearedSessionCookies(req) } };
  };

  return { signUp, signIn, signOut, me, deleteAccount };
}
