// A person's notification choices on the account page: which notifications also come by email
// (off until chosen; mail goes only to a confirmed address, which the page says), and what
// reaches the inbox beyond what they follow (recommended events, on until turned off). Each box
// is saved as it is ticked.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { request } from "../api.ts";
import { FormProblem } from "./form.tsx";

type Choices = Record<string, boolean>;

function ChoiceForm(props: {
  path: string;
  legend: string;
  className: string;
  choices: { name: string; label: string }[];
  children?: ComponentChildren;
}) {
  const [choices, setChoices] = useState<Choices>();
  const [status, setStatus] = useState<unknown>();
  useEffect(() => {
    request<Choices>(props.path).then(setChoices, setStatus);
  }, [props.path]);

  const change = async (name: string, on: boolean) => {
    if (!choices) return;
    setStatus(undefined);
    try {
      setChoices(
        await request<Choices>(props.path, { method: "PUT", body: { ...choices, [name]: on } }),
      );
      setStatus("saved");
    } catch (error) {
      setStatus(error);
    }
  };

  return (
    <form class={props.className} onSubmit={(event) => event.preventDefault()}>
      <fieldset disabled={!choices}>
        <legend>{props.legend}</legend>
        {props.choices.map(({ name, label }) => (
          <p key={name}>
            <label>
              <input
                type="checkbox"
                name={name}
                checked={choices?.[name] ?? false}
                onChange={(event) =>
                  change(name, (event.currentTarget as HTMLInputElement).checked)
                }
              />{" "}
              {label}
            </label>
          </p>
        ))}
        {props.children}
        <p role="status">{status === "saved" ? "Saved." : ""}</p>
        {status !== undefined && status !== "saved" && <FormProblem error={status} fields={[]} />}
      </fieldset>
    </form>
  );
}

export function EmailPreferences({ verified }: { verified: boolean }) {
  return (
    <ChoiceForm
      path="/api/me/notifications/email"
      legend="Email me"
      className="email-preferences"
      choices={[
        { name: "reminders", label: "Reminders before events start" },
        { name: "live", label: '"Live now" when a channel I follow goes live' },
        { name: "digest", label: "A daily digest of my notifications" },
      ]}
    >
      {!verified && <p>Mail goes out once you confirm your address.</p>}
    </ChoiceForm>
  );
}

export function InboxSettings() {
  return (
    <ChoiceForm
      path="/api/me/notifications/settings"
      legend="Notify me"
      className="inbox-settings"
      choices={[
        {
          name: "recommendations",
          label: "Of new events like what I watch, from channels I don't follow (3 a day at most)",
        },
      ]}
    />
  );
}
