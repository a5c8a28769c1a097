// What the HTTP API accepts: one zod schema per body and parameter; the types derive from them.
import { z } from "zod";

const newPassword = z.string().min(8, "at least 8 characters").max(200);

export const signUpBody = z.object({
  email: z.email().max(254),
  password: newPassword,
  displayName: z.string().trim().min(1).max(80),
});

export const signInBody = z.object({
  email: z.string().max(254),
  password: z.string().max(200),
});

/** Deleting an account asks for its password again: a borrowed session alone cannot. */
export const deleteAccountBody = z.object({
  password: z.string().min(1).max(200),
});

/** A new password, given with the current one (a borrowed session alone cannot change it). */
export const changePasswordBody = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword,
});

/** Asking for a password reset link. */
export const passwordResetRequestBody = z.object({
  email: z.email().max(254),
});

/** A token from a mailed link: 32 random bytes, base64url. */
const mailedToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "not a valid link: ask for a new one");

/** Setting a new password with the token of a reset link. */
export const passwordResetBody = z.object({
  token: mailedToken,
  password: newPassword,
});

/** Confirming an address with the token of a verification link. */
export const emailVerificationBody = z.object({
  token: mailedToken,
});

export const slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/, "3 to 64 lower-case letters, digits and dashes");

export const createChannelBody = z.object({
  slug,
  title: z.string().trim().min(1).max(120),
  description: z.string().max(5000).default(""),
});

export const uuid = z.uuid("not a valid id");
export const eventId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "not a valid event id");

export type SignUp = z.infer<typeof signUpBody>;
export type CreateChannel = z.infer<typeof createChannelBody>;
