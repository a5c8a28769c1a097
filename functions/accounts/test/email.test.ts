// Password reset and address verification by mail, through the edge, against the real
// PostgreSQL and the real SMTP server (Mailpit: its inbox API is where the tests read the mail).
import { createHash } from "node:crypto";
import { createPool } from "@stream-platform/shared/postgres";
import {
  api,
  clientAt,
  freshAddress,
  linkIn,
  mailSummaries,
  newUser,
  type ReceivedMail,
  type TestUser,
  waitForMail,
} from "@stream-platform/shared/testing";
import { afterAll, describe, expect, it } from "vitest";

const pool = createPool(undefined, 2);
afterAll(() => pool.end());

const RESET = /^Reset your Stream Platform password$/;
const VERIFY = /^Confirm your email address/;

const tokenOf = (mail: ReceivedMail, path: string) => {
  const token = new URLSearchParams(linkIn(mail, path).hash.slice(1)).get("token");
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return token as string;
};

const signIn = (email: string, password: string) =>
  api<{ token: string }>("/api/sessions", { body: { email, password } });

async function resetLink(user: TestUser, n = 1): Promise<string> {
  const asked = await api("/api/password-resets", { body: { email: user.email } });
  expect(asked.status).toBe(202);
  return tokenOf(await waitForMail(user.email, RESET, n), "/reset-password");
}

describe("password reset", () => {
  it("mails a link that sets a new password once, ending every session of the account", async () => {
    const user = await newUser("reset");
    const elsewhere = await signIn(user.email, user.password);
    expect(elsewhere.status).toBe(200);

    const asked = await api("/api/password-resets", { body: { email: user.email } });
    expect(asked.status).toBe(202);
    const mail = await waitForMail(user.email, RESET);
    expect(mail.to).toEqual([user.email]);
    const token = tokenOf(mail, "/reset-password");
    // The same link in the HTML part, as a button.
    expect(mail.html).toContain(`/reset-password#token=${token}`);
    expect(mail.html).toContain("Choose a new password");

    // Only the token's hash is stored.
    const { rows } = await pool.query<{ token_hash: Buffer }>(
      "select token_hash from email_tokens where user_id = $1 and purpose = 'reset'",
      [user.id],
    );
    expect(rows.map((r) => r.token_hash.toString("hex"))).toEqual([
      createHash("sha256").update(token).digest("hex"),
    ]);

    // A weak password is refused without using the link up.
    const weak = await api<{ errors: { field: string; detail: string }[] }>(
      "/api/password-resets/complete",
      { body: { token, password: "password123" } },
    );
    expect(weak.status).toBe(400);
    expect(weak.headers.get("content-type")).toBe("application/problem+json");
    expect(weak.body.errors.map((e) => e.field)).toEqual(["password"]);

    const password = `new-${user.password}`;
    const done = await api("/api/password-resets/complete", { body: { token, password } });
    expect(done.status).toBe(204);

    // Every session ended; the old password is gone, the new one signs in.
    expect((await api("/api/me", { token: user.token })).status).toBe(401);
    expect((await api("/api/me", { token: elsewhere.body.token })).status).toBe(401);
    expect((await signIn(user.email, user.password)).status).toBe(401);
    const fresh = await signIn(user.email, password);
    expect(fresh.status).toBe(200);
    // Reading the mail proved the address.
    const me = await api<{ emailVerified: boolean }>("/api/me", { token: fresh.body.token });
    expect(me.body.emailVerified).toBe(true);

    // Single use: the same link again is refused, naming the token.
    const again = await api<{ errors: { field: string }[] }>("/api/password-resets/complete", {
      body: { token, password: `other-${user.password}` },
    });
    expect(again.status).toBe(400);
    expect(again.body.errors.map((e) => e.field)).toEqual(["token"]);
    expect((await signIn(user.email, password)).status).toBe(200);
  });

  it("refuses an expired link, and the password stays", async () => {
    const user = await newUser("expired");
    const token = await resetLink(user);
    await pool.query(
      "update email_tokens set expires_at = now() - interval '1 second' where user_id = $1 and purpose = 'reset'",
      [user.id],
    );
    const late = await api<{ errors: { field: string }[] }>("/api/password-resets/complete", {
      body: { token, password: `new-${user.password}` },
    });
    expect(late.status).toBe(400);
    expect(late.body.errors.map((e) => e.field)).toEqual(["token"]);
    expect((await signIn(user.email, user.password)).status).toBe(200);
  });

  it("answers alike whether or not the address has an account, and mails only an account", async () => {
    const user = await newUser("known");
    const unknown = `nobody-${user.email}`;
    const none = await api("/api/password-resets", { body: { email: unknown } });
    const known = await api("/api/password-resets", { body: { email: user.email } });
    expect(none.status).toBe(202);
    expect(known.status).toBe(202);
    expect({ ...(none.body as object), email: "" }).toEqual({
      ...(known.body as object),
      email: "",
    });
    await waitForMail(user.email, RESET);
    expect(await mailSummaries(unknown)).toEqual([]);
  });

  it("limits reset mail per account (still 202) and requests per client address (429)", async () => {
    const user = await newUser("flooded");
    // From several addresses: the account's own budget of 3 mails holds whoever asks.
    for (let i = 0; i < 5; i++) {
      const asked = await clientAt(freshAddress())("/api/password-resets", {
        body: { email: user.email },
      });
      expect(asked.status).toBe(202);
    }
    await waitForMail(user.email, RESET, 3);
    const { rows } = await pool.query(
      "select count(*)::int as n from email_tokens where user_id = $1 and purpose = 'reset'",
      [user.id],
    );
    expect(rows[0].n).toBe(3);
    expect((await mailSummaries(user.email)).filter((m) => RESET.test(m.Subject)).length).toBe(3);

    // One address asking about many: 20, then 429 with Retry-After.
    const client = clientAt(freshAddress());
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++)
      statuses.push(
        (
          await client("/api/password-resets", {
            body: { email: `spray-${i}-${user.email}` },
          })
        ).status,
      );
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(202));
    expect(statuses.slice(20)).toEqual([429, 429]);
  });

  it("voids earlier reset links when the password is changed", async () => {
    const user = await newUser("changed");
    const token = await resetLink(user);
    const changed = await api("/api/me/password", {
      token: user.token,
      body: { currentPassword: user.password, newPassword: `changed-${user.password}` },
    });
    expect(changed.status).toBe(204);
    const late = await api("/api/password-resets/complete", {
      body: { token, password: `new-${user.password}` },
    });
    expect(late.status).toBe(400);
  });
});

describe("email verification", () => {
  it("mails a link at sign-up that marks the address verified, once", async () => {
    const user = await newUser("verify");
    const before = await api<{ emailVerified: boolean }>("/api/me", { token: user.token });
    expect(before.body.emailVerified).toBe(false);
    const mail = await waitForMail(user.email, VERIFY);
    const token = tokenOf(mail, "/verify-email");
    expect(mail.html).toContain(`/verify-email#token=${token}`);

    // Anyone holding the link may use it (another browser, not signed in).
    expect((await api("/api/email-verifications", { body: { token } })).status).toBe(204);
    const after = await api<{ emailVerified: boolean }>("/api/me", { token: user.token });
    expect(after.body.emailVerified).toBe(true);
    const again = await api<{ errors: { field: string }[] }>("/api/email-verifications", {
      body: { token },
    });
    expect(again.status).toBe(400);
    expect(again.body.errors.map((e) => e.field)).toEqual(["token"]);
    // Verified: nothing more to send.
    const resend = await api("/api/me/email-verification", { method: "POST", token: user.token });
    expect(resend.status).toBe(200);
  });

  it("mails a new link when asked, a limited number of times", async () => {
    const user = await newUser("resend");
    await waitForMail(user.email, VERIFY);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await api("/api/me/email-verification", { method: "POST", token: user.token })).status,
      );
    expect(statuses).toEqual([202, 202, 202, 429]);
    // The newest link works.
    const token = tokenOf(await waitForMail(user.email, VERIFY, 4), "/verify-email");
    expect((await api("/api/email-verifications", { body: { token } })).status).toBe(204);
  });

  it("tells the owner by mail when someone signs up with their address", async () => {
    const user = await newUser("taken");
    const attempt = await api("/api/users", {
      body: { email: user.email, password: `x-${user.password}`, displayName: "Eve" },
    });
    expect(attempt.status).toBe(202);
    const mail = await waitForMail(user.email, /tried to make a Stream Platform account/);
    expect(linkIn(mail, "/forgot-password").hash).toBe("");
  });
});

describe("password strength (#24, item 14)", () => {
  it.each([
    ["a common password", "password"],
    ["a common password with a digit", "password1"],
    ["a keyboard walk", "qwertyuiop"],
    ["a repeated pattern", "abcabcabcabc"],
    ["the email itself", "EMAIL"],
  ])("refuses %s with a 400 naming `password`", async (_, candidate) => {
    const email = `strength-${Math.random().toString(36).slice(2)}@example.org`;
    const password = candidate === "EMAIL" ? email : candidate;
    const refused = await api<{ errors: { field: string; detail: string }[] }>("/api/users", {
      body: { email, password, displayName: "Strength" },
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.body.errors.map((e) => e.field)).toEqual(["password"]);
    expect(refused.body.errors[0]?.detail).toMatch(/common|guess/);
    // Nothing was made: signing in fails.
    expect((await signIn(email, password)).status).toBe(401);
  });

  it("accepts a password of a few unrelated words", async () => {
    const email = `strong-${Math.random().toString(36).slice(2)}@example.org`;
    const made = await api("/api/users", {
      body: { email, password: "violet tractor simmers quietly", displayName: "Strong" },
    });
    expect(made.status).toBe(202);
    expect((await signIn(email, "violet tractor simmers quietly")).status).toBe(200);
  });
});
