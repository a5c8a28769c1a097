// The messages accounts sends, each in plain text and HTML (shared/src/mail), and the links in
// them: to the web app's pages, token in the fragment (#token=…), which browsers never send to
// a server, so it stays out of access logs and Referer headers.
import { composeMail, type MailContent, publicUrl } from "@stream-platform/shared/mail";

/** A password reset link works this long. */
export const RESET_TTL_SECONDS = 3600;
/** An address verification link works this long. */
export const VERIFY_TTL_SECONDS = 48 * 3600;

export const pageLink = (path: string, token?: string) =>
  `${publicUrl()}${path}${token ? `#token=${token}` : ""}`;

export const passwordResetMail = (name: string, token: string): MailContent =>
  composeMail({
    subject: "Reset your Stream Platform password",
    greeting: `Hello ${name},`,
    paragraphs: [
      "Someone (we hope you) asked to set a new password for your Stream Platform account.",
      `The link below works once, for the next ${RESET_TTL_SECONDS / 60} minutes. Setting a new password signs you out everywhere.`,
    ],
    action: { label: "Choose a new password", url: pageLink("/reset-password", token) },
    footer:
      "If you did not ask for this, ignore this message: your password stays as it is, and nobody can change it without this link.",
  });

export const verificationMail = (name: string, token: string): MailContent =>
  composeMail({
    subject: "Confirm your email address for Stream Platform",
    greeting: `Welcome, ${name}!`,
    paragraphs: [
      "Please confirm that this address is yours: it is where we send password resets.",
      `The link works for ${VERIFY_TTL_SECONDS / 3600} hours; after that, ask for a new one from your account page.`,
    ],
    action: { label: "Confirm my address", url: pageLink("/verify-email", token) },
    footer: "If you did not make an account on Stream Platform, ignore this message.",
  });

/** To the owner of an address someone tried to sign up with again. */
export const accountExistsMail = (name: string): MailContent =>
  composeMail({
    subject: "Someone tried to make a Stream Platform account with your address",
    greeting: `Hello ${name},`,
    paragraphs: [
      "Someone tried to make a new Stream Platform account with this address, which already has one: no account was made.",
      "If it was you, sign in with your account, or set a new password if you forgot it.",
    ],
    action: { label: "Forgot your password?", url: pageLink("/forgot-password") },
    footer: "If it was not you, nothing changed: your account and password stay as they are.",
  });
