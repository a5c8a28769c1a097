// What the account's mailbox proves: a password reset by mail, and the address verified. Links
// carry single-use tokens (only their hashes stored, store.ts); asking for a reset answers the
// same whether or not the address has an account.
import {
  type Handler,
  HttpProblem,
  hashPassword,
  invalidInput,
  parseInput,
  requireSession,
} from "@stream-platform/shared";
import type { Mailer } from "@stream-platform/shared/mail";
import { SharedRateLimiter } from "@stream-platform/shared/postgres";
import {
  accountExistsMail,
  passwordResetMail,
  RESET_TTL_SECONDS,
  VERIFY_TTL_SECONDS,
  verificationMail,
} from "./mails.ts";
import { requireStrongPassword } from "./password-policy.ts";
import { emailVerificationBody, passwordResetBody, passwordResetRequestBody } from "./schemas.ts";
import type { Store, User } from "./store.ts";

// Reset requests from one address: 20 with one more a minute (answered 429: it tells nothing
// about any account).
const resetRequestsByAddress = new SharedRateLimiter("password-reset:address", 1 / 60, 20);
// Mail to one address (resets, "someone tried to sign up"): 3 with one more every 20 minutes,
// so nobody can flood a mailbox through us. Over it, requests still answer 202 and send
// nothing: a 429 would tell which addresses have accounts.
const mailsToAddress = new SharedRateLimiter("mail:address", 1 / 1200, 3);
// Verification mail asked again by the signed-in account: 3 with one more every 10 minutes.
const verificationsByAccount = new SharedRateLimiter("email-verification:account", 1 / 600, 3);
// Links used (a reset hashes the password: memory, CPU): 20 with one more a second from one
// address.
const linksByAddress = new SharedRateLimiter("mailed-link:address", 1, 20);

const invalidLink = () =>
  new HttpProblem(
    invalidInput([
      {
        field: "token",
        detail: "this link is not valid (used, expired or mistyped): ask for a new one",
      },
    ]),
  );

/** Mails the account a new verification link. */
export async function sendVerification(store: Store, mailer: Mailer, user: User): Promise<void> {
  const token = await store.createEmailToken(user.id, "verify", VERIFY_TTL_SECONDS);
  mailer.sendLater(user.email, verificationMail(user.displayName, token), "email verification");
}

/** Tells the owner of an address that someone tried to sign up with it (within the mail limit). */
export async function sendAccountExists(store: Store, mailer: Mailer, email: string) {
  const owner = await store.userByEmail(email);
  if (owner && (await mailsToAddress.take(owner.email.toLowerCase())) === 0)
    mailer.sendLater(owner.email, accountExistsMail(owner.displayName), "account exists");
}

export function emailHandlers(store: Store, mailer: Mailer) {
  const requestReset: Handler = async ({ req }) => {
    const input = parseInput(passwordResetRequestBody, req.body);
    await resetRequestsByAddress.checkAddress(req, "password reset requests from this address");
    const user = await store.userByEmail(input.email);
    if (user && (await mailsToAddress.take(user.email.toLowerCase())) === 0) {
      const token = await store.createEmailToken(user.id, "reset", RESET_TTL_SECONDS);
      mailer.sendLater(user.email, passwordResetMail(user.displayName, token), "password reset");
    }
    return {
      status: 202,
      body: {
        email: input.email,
        detail: `if an account has this email, a link to set a new password is on its way to it; it works once, for ${RESET_TTL_SECONDS / 60} minutes`,
      },
    };
  };

  // The token is checked before the password (a weak one is refused without using the link up)
  // and used up in the same transaction that sets it.
  const completeReset: Handler = async ({ req }) => {
    const input = parseInput(passwordResetBody, req.body);
    await linksByAddress.checkAddress(req, "password resets from this address");
    const user = await store.emailTokenOwner(input.token, "reset");
    if (!user) throw invalidLink();
    await requireStrongPassword(input.password, "password", [user.email, user.displayName]);
    if (!(await store.resetPassword(input.token, await hashPassword(input.password))))
      throw invalidLink();
    return { status: 204 };
  };

  // Anyone holding the link may use it (it may be opened in another browser than the account's).
  const verify: Handler = async ({ req }) => {
    const input = parseInput(emailVerificationBody, req.body);
    await linksByAddress.checkAddress(req, "verification attempts from this address");
    if (!(await store.verifyEmail(input.token))) throw invalidLink();
    return { status: 204 };
  };

  const resendVerification: Handler = async ({ req }) => {
    const { userId } = await requireSession(req);
    const user = await store.user(userId);
    if (!user)
      throw new HttpProblem({ status: 401, title: "Not signed in", detail: "no such account" });
    if (user.emailVerified)
      return { status: 200, body: { email: user.email, detail: "this address is verified" } };
    await verificationsByAccount.check(userId, "verification emails for this account");
    await sendVerification(store, mailer, user);
    return {
      status: 202,
      body: { email: user.email, detail: "a new verification link is on its way" },
    };
  };

  return { requestReset, completeReset, verify, resendVerification };
}
