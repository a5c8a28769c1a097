// Follow a channel: notifications of its events (new, moved, reminders, live now, cancelled).
import { useEffect, useState } from "preact/hooks";
import { request } from "../api.ts";
import { navigate } from "../router.ts";
import { useSession } from "../session.ts";
import { ErrorNote } from "./status.tsx";

interface Subscriptions {
  items: { target: { kind: string; id: string } }[];
}

export function SubscribeButton({ channelId }: { channelId: string }) {
  const user = useSession();
  const [subscribed, setSubscribed] = useState<boolean>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    if (!user) return;
    request<Subscriptions>("/api/me/subscriptions")
      .then((s) =>
        setSubscribed(
          s.items.some((i) => i.target.kind === "channel" && i.target.id === channelId),
        ),
      )
      .catch(setError);
  }, [user, channelId]);

  if (user === null)
    return (
      <button type="button" onClick={() => navigate(`/account?next=${location.pathname}`)}>
        Sign in to subscribe
      </button>
    );
  if (user === undefined || subscribed === undefined) return null;

  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await request(`/api/subscriptions/channels/${channelId}`, {
        method: subscribed ? "DELETE" : "PUT",
      });
      setSubscribed(!subscribed);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class={subscribed ? "secondary" : "primary"}
        aria-pressed={subscribed}
        disabled={busy}
        onClick={toggle}
      >
        {subscribed ? "Subscribed" : "Subscribe"}
      </button>
      {error !== undefined && <ErrorNote error={error} />}
    </>
  );
}
