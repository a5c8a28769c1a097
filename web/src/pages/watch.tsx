// The watch page: the player (live or recording) with its chat beside it (below on a phone), the
// event, its channel, subscribe, viewers.
import { useEffect } from "preact/hooks";
import { type Channel, request, type VideoEvent } from "../api.ts";
import { lazy } from "../components/lazy.tsx";
import { Player } from "../components/player.tsx";
import {
  Countdown,
  ErrorNote,
  Loading,
  StatusBadge,
  useLoad,
  ViewerCount,
} from "../components/status.tsx";
import { SubscribeButton } from "../components/subscribe-button.tsx";
import { when } from "../format.ts";

// The chat's code is a chunk of its own, loaded by watch pages only.
const ChatPanel = lazy(() => import("../chat/panel.tsx").then((m) => m.ChatPanel));

export function Watch({ eventId }: { eventId: string }) {
  const { data, error, reload } = useLoad(
    async (signal) => {
      const event = await request<VideoEvent>(`/api/events/${encodeURIComponent(eventId)}`, {
        signal,
      });
      const channel = await request<Channel>(`/api/channels/${event.channelId}`, { signal });
      return { event, channel };
    },
    [eventId],
  );
  // Until it is live, look again every 5 s: the page starts playing when the stream does.
  const waiting = data?.event.status === "scheduled";
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [waiting, eventId]);
  if (error && !data) return <ErrorNote error={error} />;
  if (!data) return <Loading what="the event" />;
  const { event, channel } = data;
  document.title = `${event.title} · Stream Platform`;
  const source =
    event.status === "live" ? `/hls/${event.id}/master.m3u8` : (event.vodPath ?? undefined);
  // Live chat before and during the event; a recording replays its chat.
  const chatMode =
    event.status === "live" || event.status === "scheduled"
      ? "live"
      : event.status === "ended" && event.vodPath
        ? "replay"
        : undefined;
  return (
    <article class="watch">
      <div class={chatMode ? "watch-stage with-chat" : "watch-stage"}>
        {source ? (
          <Player eventId={event.id} source={source} live={event.status === "live"} />
        ) : (
          <div class="player placeholder">
            {event.status === "scheduled" ? (
              <p>
                Starts {when(event.startsAt)} (<Countdown to={event.startsAt} />)
              </p>
            ) : event.status === "cancelled" ? (
              <p>This event was cancelled.</p>
            ) : (
              <p>The recording is being prepared.</p>
            )}
          </div>
        )}
        {chatMode && (
          <ChatPanel
            room={{
              eventId: event.id,
              channelId: channel.id,
              ownerId: channel.ownerId,
              mode: chatMode,
            }}
          />
        )}
      </div>
      <header class="watch-header">
        <div>
          <h1>
            <StatusBadge status={event.status} /> {event.title}
          </h1>
          <p>
            <a href={`/c/${channel.slug}`}>{channel.title}</a>
            {event.status === "live" && (
              <>
                {" · "}
                <ViewerCount eventId={event.id} />
              </>
            )}
          </p>
        </div>
        <SubscribeButton channelId={channel.id} />
      </header>
      {event.description && <p class="description">{event.description}</p>}
      {event.tags.length > 0 && (
        <p>
          {event.tags.map((tag) => (
            <a key={tag} class="chip" href={`/search?tags=${encodeURIComponent(tag)}`}>
              #{tag}
            </a>
          ))}
        </p>
      )}
    </article>
  );
}
