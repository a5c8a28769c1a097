// "Notify me" for one upcoming event (a subscription to the event alone): its reminder, the
// moment it goes live, and a change of time or a cancellation reach the bell (and mail, if
// asked for). Signed out, it leads to sign-in and back; the event's own creator is not offered it.
import { useState } from "preact/hooks";
import type { VideoEvent } from "../api.ts";
import { navigate } from "../router.ts";
import { follows, setFollowing, useSubscriptions } from "../subscriptions.ts";
import { ErrorNote } from "./status.tsx";

export function NotifyButton({ event }: { event: Pick<VideoEvent, "id" | "ownerId"> }) {
  const { user, items, error: loadError } = useSubscriptions();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (user === null)
    return (
      <button type="button" onClick={() => navigate(`/account?next=${location.pathname}`)}>
        Sign in to be notified
      </button>
    );
  if (!user || user.id === event.ownerId) return null;
  if (!items) return loadError === undefined ? null : <ErrorNote error={loadError} />;
  const target = { kind: "event", id: event.id } as const;
  const on = follows(items, target);
  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await setFollowing(user.id, target, !on);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="notify">
      <span aria-live="polite">{on && "You'll be notified when it starts."}</span>
      <button type="button" class={on ? "secondary" : "primary"} disabled={busy} onClick={toggle}>
        {on ? "Cancel reminder" : "Notify me"}
      </button>
      {error !== undefined && <ErrorNote error={error} />}
    </div>
  );
}
