// Sign in, sign up (and, signed in, who you are, sign out, delete the account).
import { useEffect, useState } from "preact/hooks";
import { FieldError, FormProblem, invalid } from "../components/form.tsx";
import { lazy } from "../components/lazy.tsx";
import { EmailPreferences, InboxSettings } from "../components/notification-choices.tsx";
import { navigate } from "../router.ts";
import { deleteAccount, signIn, signOut, signUp, useSession } from "../session.ts";

// The viewing history is a chunk of its own (the account page is in the home page's bundle).
const WatchHistory = lazy(() =>
  import("../components/watch-history.tsx").then((m) => m.WatchHistory),
);

export function Field(props: {
  name: string;
  label: string;
  type?: "text" | "email" | "password";
  autocomplete: string;
  error?: unknown;
  minLength?: number;
}) {
  const id = `f-${props.name}`;
  // Preact types each input type apart; the three used here take the same attributes.
  const type = (props.type ?? "text") as "text";
  return (
    <p class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={type}
        autocomplete={props.autocomplete}
        minLength={props.minLength}
        required
        {...invalid(props.error, props.name, id)}
      />
      <FieldError error={props.error} field={props.name} id={id} />
    </p>
  );
}

export function Account({ params }: { params: URLSearchParams }) {
  const user = useSession();
  // The URL says which form shows (the header's "Sign up" links to ?mode=up), both ways.
  const mode = params.get("mode") === "up" ? "up" : "in";
  const other = new URLSearchParams(params);
  if (mode === "up") other.delete("mode");
  else other.set("mode", "up");
  const otherForm = `/account${other.toString() ? `?${other}` : ""}`;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => setError(undefined), [mode]);
  const next = params.get("next")?.startsWith("/") ? (params.get("next") ?? "/") : "/";

  const remove = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      await deleteAccount(String(form.get("password") ?? ""));
      navigate("/");
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (user)
    return (
      <section class="narrow">
        <h1>Your account</h1>
        <p>
          Signed in as <strong>{user.displayName}</strong> ({user.email}).
        </p>
        <p>
          <a href="/dashboard">Creator dashboard</a>
        </p>
        <InboxSettings />
        <EmailPreferences verified={user.emailVerified} />
        <WatchHistory />
        <button type="button" onClick={() => signOut().then(() => navigate("/"))}>
          Sign out
        </button>
        <details class="danger-zone">
          <summary>Delete account</summary>
          <form onSubmit={remove}>
            <p>
              Your channels, their stream keys and your subscriptions go with it, and every session
              ends. This cannot be undone.
            </p>
            <Field
              name="password"
              label="Your password"
              type="password"
              autocomplete="current-password"
              error={error}
            />
            <FormProblem error={error} fields={["password"]} />
            <button type="submit" class="danger" disabled={busy}>
              Delete my account
            </button>
          </form>
        </details>
      </section>
    );

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const value = (name: string) => String(form.get(name) ?? "");
    setBusy(true);
    setError(undefined);
    try {
      if (mode === "up") await signUp(value("email"), value("password"), value("displayName"));
      else await signIn(value("email"), value("password"));
      navigate(next);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="narrow">
      <h1>{mode === "up" ? "Create an account" : "Sign in"}</h1>
      <form onSubmit={submit} key={mode}>
        {mode === "up" && (
          <Field name="displayName" label="Name" autocomplete="nickname" error={error} />
        )}
        <Field name="email" label="Email" type="email" autocomplete="email" error={error} />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete={mode === "up" ? "new-password" : "current-password"}
          minLength={mode === "up" ? 8 : undefined}
          error={error}
        />
        <FormProblem error={error} fields={["displayName", "email", "password"]} />
        <button type="submit" class="primary" disabled={busy}>
          {mode === "up" ? "Sign up" : "Sign in"}
        </button>
        {mode === "in" && (
          <p>
            <a href="/forgot-password">Forgot password?</a>
          </p>
        )}
      </form>
      <p>
        {mode === "up" ? "Have an account? " : "New here? "}
        <a href={otherForm}>{mode === "up" ? "Sign in" : "Create an account"}</a>
      </p>
    </section>
  );
}
