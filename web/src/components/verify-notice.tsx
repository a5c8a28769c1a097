// What a signed-in person whose address is not confirmed yet sees above every page, with a way
// to have the link mailed again.
import { useState } from "preact/hooks";
import { request, type User } from "../api.ts";
import { FormProblem } from "./form.tsx";

export function VerifyEmailNotice({ user }: { user: User }) {
  const [sent, setSent] = useState<unknown>();
  if (user.emailVerified) return null;
  const resend = () =>
    request("/api/me/email-verification", { method: "POST" }).then(
      () => setSent(true),
      (error) => setSent(error),
    );
  return (
    <div class="panel notice" role="status">
      {sent === true ? (
        <>
          A new link is on its way to <strong>{user.email}</strong>.
        </>
      ) : (
        <>
          Please confirm your email address: open the link we mailed to{" "}
          <strong>{user.email}</strong>.{" "}
          <button type="button" class="link" onClick={resend}>
            Send it again
          </button>
          {sent !== undefined && <FormProblem error={sent} fields={[]} />}
        </>
      )}
    </div>
  );
}
