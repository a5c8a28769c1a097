// Which notifications also come by email (off until chosen), on the account page. Each box is
// saved as it is ticked; mail goes only to a confirmed address, which the page says.
import { useEffect, useState } from "preact/hooks";
import { request } from "../api.ts";
import { FormProblem } from "./form.tsx";

interface Preferences {
  reminders: boolean;
  live: boolean;
  digest: boolean;
}

const CHOICES: { name: keyof Preferences; label: string }[] = [
  { name: "reminders", label: "Reminders before events start" },
  { name: "live", label: '"Live now" when a channel I follow goes live' },
  { name: "digest", label: "A daily digest of my notifications" },
];

const PATH = "/api/me/notifications/email";

export function EmailPreferences({ verified }: { verified: boolean }) {
  const [preferences, setPreferences] = useState<Preferences>();
  const [status, setStatus] = useState<unknown>();
  useEffect(() => {
    request<Preferences>(PATH).then(setPreferences, setStatus);
  }, []);

  const change = async (name: keyof Preferences, on: boolean) => {
    if (!preferences) return;
    setStatus(undefined);
    try {
      setPreferences(
        await request<Preferences>(PATH, {
          method: "PUT",
          body: { ...preferences, [name]: on },
        }),
      );
      setStatus("saved");
    } catch (error) {
      setStatus(error);
    }
  };

  return (
    <form class="email-preferences" onSubmit={(event) => event.preventDefault()}>
      <fieldset disabled={!preferences}>
        <legend>Email me</legend>
        {CHOICES.map(({ name, label }) => (
          <p key={name}>
            <label>
              <input
                type="checkbox"
                name={name}
                checked={preferences?.[name] ?? false}
                onChange={(event) =>
                  change(name, (event.currentTarget as HTMLInputElement).checked)
                }
              />{" "}
              {label}
            </label>
          </p>
        ))}
        {!verified && <p>Mail goes out once you confirm your address.</p>}
        <p role="status">{status === "saved" ? "Saved." : ""}</p>
        {status !== undefined && status !== "saved" && <FormProblem error={status} fields={[]} />}
      </fieldset>
    </form>
  );
}
