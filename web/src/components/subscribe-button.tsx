// Follow a channel: notifications of its events (new, moved, reminders, live now, cancelled).
// Beside it the channel's subscriber count, asked again after each change (and announced); on
// one's own channel, a way to the dashboard instead.
import { useEffect, useState } from "preact/hooks";
import { type Channel, request } from "../api.ts";
import { plural } from "../format.ts";
import { navigate } from "../router.ts";
import { follows, setFollowing, useSubscriptions } from "../subscriptions.ts";
import { ErrorNote } from "./status.tsx";

type Followed = Pick<Channel, "id" | "ownerId" | "slug" | "title">;

export function SubscribeButton({ channel }: { channel: Followed }) {
  const { user, items, error: loadError } = useSubscriptions();
  const [count, setCount] = useState<number>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const countPath = `/api/channels/${channel.id}/subscribers/count`;

  useEffect(() => {
    let stopped = false;
    request<{ count: number }>(countPath).then(
      (answer) => !stopped && setCount(answer.count),
      () => undefined,
    );
    return () => {
      stopped = true;
    };
  }, [countPath]);

  const target = { kind: "channel", id: channel.id } as const;
  const subscribed = items && follows(items, target);
  const toggle = async () => {
    if (!user || subscribed === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await setFollowing(user.id, target, !subscribed, {
        slug: channel.slug,
        title: channel.title,
      });
      // The count as the API has it now (others may have come or gone meanwhile).
      setCount((await request<{ count: number }>(countPath)).count);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const action =
    user === null ? (
      <button type="button" onClick={() => navigate(`/account?next=${location.pathname}`)}>
        Sign in to subscribe
      </button>
    ) : user && user.id === channel.ownerId ? (
      <a class="button" href="/dashboard">
        Your channel: open the dashboard
      </a>
    ) : subscribed === undefined ? null : (
      <button
        type="button"
        class={subscribed ? "secondary" : "primary"}
        aria-pressed={subscribed}
        disabled={busy}
        onClick={toggle}
      >
        {subscribed ? "Subscribed" : "Subscribe"}
      </button>
    );
  return (
    <div class="subscribe">
      {action}
      <span class="muted" aria-live="polite" data-testid="subscriber-count">
        {count !== undefined && plural(count, "subscriber")}
      </span>
      {(error ?? loadError) !== undefined && <ErrorNote error={error ?? loadError} />}
    </div>
  );
}
