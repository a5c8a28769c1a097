// The page a verification link opens (/verify-email#token=…): it confirms the address at once.
import { useEffect, useState } from "preact/hooks";
import { request } from "../api.ts";
import { FormProblem } from "../components/form.tsx";
import { refreshSession } from "../session.ts";
import { linkToken } from "./password-reset.tsx";

export function VerifyEmail() {
  const [state, setState] = useState<"checking" | "done" | unknown>("checking");
  useEffect(() => {
    const token = linkToken();
    request("/api/email-verifications", { body: { token } })
      // A signed-in person's notice goes with the news.
      .then(() => refreshSession().catch(() => null))
      .then(
        () => setState("done"),
        (error) => setState(error),
      );
  }, []);
  return (
    <section class="narrow">
      <h1>Confirm your email address</h1>
      {state === "checking" ? (
        <p role="status">Confirming…</p>
      ) : state === "done" ? (
        <p role="status">
          Thank you: your address is confirmed. <a href="/">Go home</a>
        </p>
      ) : (
        <>
          <FormProblem error={state} fields={[]} />
          <p>Signed in, ask for a new link from the notice at the top of any page.</p>
        </>
      )}
    </section>
  );
}
