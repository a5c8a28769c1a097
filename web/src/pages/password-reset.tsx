// "Forgot password?": ask for a link by mail, then choose a new password on the page the link
// opens (/reset-password#token=…: the token rides in the fragment, which no server sees).
import { useState } from "preact/hooks";
import { request } from "../api.ts";
import { FormProblem } from "../components/form.tsx";
import { Field } from "./account.tsx";

/** The token of a mailed link (`#token=…`). */
export const linkToken = () => new URLSearchParams(location.hash.slice(1)).get("token") ?? "";

/** A form that posts to the API once, then shows `done` in its place. */
function useSubmit(send: (value: (name: string) => string) => Promise<unknown>) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      await send((name) => String(form.get(name) ?? ""));
      setDone(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, done, submit };
}

export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const { error, busy, done, submit } = useSubmit((value) => {
    setEmail(value("email"));
    return request("/api/password-resets", { body: { email: value("email") } });
  });
  return (
    <section class="narrow">
      <h1>Reset your password</h1>
      {done ? (
        <p role="status">
          If an account has the address <strong>{email}</strong>, a link to choose a new password is
          on its way to it. It works once, for an hour.
        </p>
      ) : (
        <form onSubmit={submit}>
          <p>Enter your account's email address: we will mail you a link to choose a new one.</p>
          <Field name="email" label="Email" type="email" autocomplete="email" error={error} />
          <FormProblem error={error} fields={["email"]} />
          <button type="submit" class="primary" disabled={busy}>
            Send the link
          </button>
        </form>
      )}
      <p>
        <a href="/account">Back to sign in</a>
      </p>
    </section>
  );
}

export function ResetPassword() {
  const token = linkToken();
  const { error, busy, done, submit } = useSubmit((value) =>
    request("/api/password-resets/complete", { body: { token, password: value("password") } }),
  );
  return (
    <section class="narrow">
      <h1>Choose a new password</h1>
      {done ? (
        <p role="status">
          Your password is set, and every session of your account has ended.{" "}
          <a href="/account">Sign in</a> with the new one.
        </p>
      ) : !token ? (
        <p>
          This page needs the link from the email. <a href="/forgot-password">Ask for a new link</a>
          .
        </p>
      ) : (
        <form onSubmit={submit}>
          <Field
            name="password"
            label="New password"
            type="password"
            autocomplete="new-password"
            minLength={8}
            error={error}
          />
          <FormProblem error={error} fields={["password"]} />
          <button type="submit" class="primary" disabled={busy}>
            Set the password
          </button>
          <p>
            <a href="/forgot-password">Ask for a new link</a>
          </p>
        </form>
      )}
    </section>
  );
}
