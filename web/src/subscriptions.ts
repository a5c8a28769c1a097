// What the signed-in person follows (GET /api/me/subscriptions): asked once, shared by the
// Subscribe and Notify me buttons and the Following page; a change made here updates it for all.
import { useEffect, useState } from "preact/hooks";
import { request, type Subscription } from "./api.ts";
import { useSession } from "./session.ts";

type Target = Subscription["target"];

let known: { userId: string; items: Subscription[] } | undefined;
let asking: { userId: string; answer: Promise<void> } | undefined;
const listeners = new Set<() => void>();

function publish(userId: string, items: Subscription[]): void {
  known = { userId, items };
  for (const listener of listeners) listener();
}

/** Asks the API unless the list is known (`again`: ask anyway, as a page showing it does). */
function load(userId: string, again: boolean): Promise<void> {
  if (asking?.userId === userId) return asking.answer;
  if (!again && known?.userId === userId) return Promise.resolve();
  const answer = request<{ items: Subscription[] }>("/api/me/subscriptions")
    .then((body) => publish(userId, body.items))
    .finally(() => {
      if (asking?.answer === answer) asking = undefined;
    });
  asking = { userId, answer };
  return answer;
}

/**
 * The signed-in person's subscriptions, newest first: undefined while unknown or signed out
 * (`user` says which), with the error if they could not be had.
 */
export function useSubscriptions(again = false) {
  const user = useSession();
  const [, setTick] = useState(0);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  const userId = user?.id;
  useEffect(() => {
    if (!userId) return;
    setError(undefined);
    load(userId, again).catch(setError);
  }, [userId, again]);
  const items = userId && known?.userId === userId ? known.items : undefined;
  return { user, items, error };
}

export const follows = (items: Subscription[], target: Target) =>
  items.some((item) => item.target.kind === target.kind && item.target.id === target.id);

/** Follows `target` or stops: the API first, then the shared list (a channel with its names). */
export async function setFollowing(
  userId: string,
  target: Target,
  on: boolean,
  channel?: Subscription["channel"],
): Promise<void> {
  await request(`/api/subscriptions/${target.kind}s/${encodeURIComponent(target.id)}`, {
    method: on ? "PUT" : "DELETE",
  });
  if (known?.userId !== userId) return;
  const others = known.items.filter(
    (item) => !(item.target.kind === target.kind && item.target.id === target.id),
  );
  publish(
    userId,
    on
      ? [{ target, createdAt: new Date().toISOString(), ...(channel && { channel }) }, ...others]
      : others,
  );
}
