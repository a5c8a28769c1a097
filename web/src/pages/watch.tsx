// The watch page: the player (live or recording) with its chat beside it (below on a phone), the
// event, its channel, subscribe (and, before it starts, Notify me), viewers.
import { useEffect, useRef, useState } from "preact/hooks";
import { type Channel, request, type VideoEvent } from "../api.ts";
import { lazy } from "../components/lazy.tsx";
import { NotifyButton } from "../components/notify-button.tsx";
import { PageError } from "../components/page-error.tsx";
import { Player } from "../components/player.tsx";
import {
  Countdown,
  DidNotStartNote,
  Loading,
  StatusBadge,
  useDidNotStart,
  useLoad,
  ViewerCount,
} from "../components/status.tsx";
import { SubscribeButton } from "../components/subscribe-button.tsx";
import { when } from "../format.ts";

// The chat's code is a chunk of its own, loaded by watch pages only.
const ChatPanel = lazy(() => import("../chat/panel.tsx").then((m) => m.ChatPanel));

export function Watch({ eventId }: { eventId: string }) {
  const { data, error } = useLoad(
    async (signal) => {
      const event = await request<VideoEvent>(`/api/events/${encodeURIComponent(eventId)}`, {
        signal,
      });
      const channel = await request<Channel>(`/api/channels/${event.channelId}`, { signal });
      return { event, channel };
    },
    [eventId],
  );
  // The event as last looked at: until it is live, and while it is live or its recording is
  // being made, look again (the page starts playing when the stream does, says so within
  // seconds when the stream ends, and offers the recording once it is ready).
  const [latest, setLatest] = useState<VideoEvent>();
  const loaded = latest?.id === eventId ? latest : data?.event;
  const status = loaded?.status;
  const changing =
    status === "scheduled" || status === "live" || (status === "ended" && !loaded?.vodPath);
  useEffect(() => {
    if (!changing) return;
    let stopped = false;
    const look = () =>
      request<VideoEvent>(`/api/events/${encodeURIComponent(eventId)}`)
        .then((e) => !stopped && setLatest(e))
        .catch(() => undefined);
    const timer = setInterval(look, status === "scheduled" ? 5000 : 2500);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [changing, status, eventId]);
  // Seen live or unfinished here: its recording, once ready, is offered rather than started.
  const sawItUnfinished = useRef(false);
  if (changing && status !== "scheduled") sawItUnfinished.current = true;
  const [chosenRecording, setChosenRecording] = useState(false);
  // Its time passed without a stream: it says so rather than "starting soon" (its owner may move it).
  const missed = useDidNotStart(loaded);
  if (error && !data) return <PageError error={error} what="event" />;
  if (!data || !loaded) return <Loading what="the event" />;
  const { channel } = data;
  const event = loaded;
  document.title = `${event.title} · Stream Platform`;
  const recordingOffered =
    event.status === "ended" && event.vodPath && sawItUnfinished.current && !chosenRecording;
  const source =
    event.status === "live"
      ? `/hls/${event.id}/master.m3u8`
      : recordingOffered
        ? undefined
        : (event.vodPath ?? undefined);
  // Live chat before and during the event (not for one that did not start); a recording replays
  // its chat.
  const chatMode =
    event.status === "live" || (event.status === "scheduled" && !missed)
      ? "live"
      : event.status === "ended" && source
        ? "replay"
        : undefined;
  return (
    <article class="watch">
      <div class={chatMode ? "watch-stage with-chat" : "watch-stage"}>
        {source ? (
          <Player
            eventId={event.id}
            source={source}
            live={event.status === "live"}
            title={event.title}
          />
        ) : (
          <div class="player placeholder">
            {missed ? (
              <p>
                <DidNotStartNote startsAt={event.startsAt} />.
              </p>
            ) : event.status === "scheduled" ? (
              <p>
                Starts {when(event.startsAt)} (<Countdown to={event.startsAt} />)
              </p>
            ) : event.status === "cancelled" ? (
              <p>This event was cancelled.</p>
            ) : (
              <div class="ended-note" role="status">
                <p>
                  <strong>The stream has ended.</strong>
                </p>
                {recordingOffered ? (
                  <button type="button" onClick={() => setChosenRecording(true)}>
                    Watch the recording
                  </button>
                ) : (
                  <p>The recording is being prepared…</p>
                )}
              </div>
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
            <StatusBadge status={event.status} recorded={Boolean(event.vodPath)} missed={missed} />{" "}
            {event.title}
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
        <div class="watch-actions">
          <SubscribeButton channel={channel} />
          {event.status === "scheduled" && <NotifyButton event={event} />}
        </div>
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
