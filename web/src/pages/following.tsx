// Following: the channels one subscribes to (those live now say so and lead to the stream) and
// the upcoming events one asked to be notified of, each leading to its page. Signed out, a way
// to sign in and back.
import { ApiError, type Page, request, type Subscription, type VideoEvent } from "../api.ts";
import { EventList } from "../components/event-card.tsx";
import { ErrorNote, Loading, StatusBadge, useLoad } from "../components/status.tsx";
import { useSubscriptions } from "../subscriptions.ts";

/** The followed events still to come or live now (a deleted one is left out), soonest first. */
async function upcoming(items: Subscription[], signal: AbortSignal): Promise<VideoEvent[]> {
  const ids = items.flatMap((item) => (item.target.kind === "event" ? [item.target.id] : []));
  const events = await Promise.all(
    ids.map((id) =>
      request<VideoEvent>(`/api/events/${encodeURIComponent(id)}`, { signal }).catch(
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 404) return undefined;
          throw error;
        },
      ),
    ),
  );
  return events
    .filter((e): e is VideoEvent => e?.status === "scheduled" || e?.status === "live")
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
}

function Lists({ items }: { items: Subscription[] }) {
  const channels = items.filter((item) => item.target.kind === "channel" && item.channel);
  const { data, error } = useLoad(
    async (signal) => {
      const [events, live] = await Promise.all([
        upcoming(items, signal),
        // Each channel's live event, if any (a live badge is a nicety: a failure leaves it out).
        Promise.all(
          channels.map(({ target }) =>
            request<Page<VideoEvent>>(`/api/events?channelId=${target.id}&status=live&limit=1`, {
              signal,
            }).then(
              (page) => page.items[0],
              () => undefined,
            ),
          ),
        ),
      ]);
      return {
        events,
        liveIn: new Map(live.flatMap((event) => (event ? [[event.channelId, event]] : []))),
      };
    },
    [items],
  );
  if (items.length === 0)
    return (
      <p>
        You follow nothing yet. Subscribe to a channel, or press <strong>Notify me</strong> on an
        upcoming event, and it shows here. <a href="/">Find something to watch</a>
      </p>
    );
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what="what you follow" />;
  return (
    <>
      <section aria-labelledby="following-channels">
        <h2 id="following-channels">Channels</h2>
        {channels.length === 0 ? (
          <p class="muted">No channels yet: subscribe on a channel's page.</p>
        ) : (
          <ul class="following">
            {channels.map(({ target, channel }) => {
              const live = data.liveIn.get(target.id);
              return (
                <li key={target.id}>
                  <a href={`/c/${channel?.slug}`}>{channel?.title}</a>
                  {live && (
                    <a href={`/watch/${live.id}`} class="live-now">
                      <StatusBadge status="live" /> Live now: {live.title}
                    </a>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section aria-labelledby="following-events">
        <h2 id="following-events">Reminders</h2>
        <EventList
          events={data.events}
          empty="No upcoming events: press Notify me on one to be told when it starts."
        />
      </section>
    </>
  );
}

export function Following() {
  const { user, items, error } = useSubscriptions(true);
  document.title = "Following · Stream Platform";
  return (
    <section>
      <h1>Following</h1>
      {user === null ? (
        <p>
          <a href="/account?next=/following">Sign in</a> to see the channels and events you follow.
        </p>
      ) : error !== undefined ? (
        <ErrorNote error={error} />
      ) : items ? (
        <Lists items={items} />
      ) : (
        <Loading what="what you follow" />
      )}
    </section>
  );
}
