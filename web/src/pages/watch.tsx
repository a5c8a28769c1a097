// The watch page: the player (live or recording) with its chat beside it (below on a phone), the
// event, its channel, subscribe (and, before it starts, Notify me), viewers, more like this.
import { useEffect, useRef, useState } from "preact/hooks";
import { type Channel, request, type VideoEvent } from "../api.ts";
import { loadHls } from "../components/hls.ts";
import { lazy } from "../components/lazy.tsx";
import { NotifyButton } from "../components/notify-button.tsx";
import { PageError } from "../components/page-error.tsx";
import { Player } from "../components/player.tsx";
import { hueOf } from "../components/poster.tsx";
import { RelatedEvents } from "../components/related-events.tsx";
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
  // The player's code, fetched while the event is: the first frame waits for both, not for one
  // after the other (the player's own import of it then finds it loaded).
  useEffect(() => {
    loadHls().catch(() => undefined);
  }, []);
  const { data: first, error } = useLoad(
    (signal) => request<VideoEvent>(`/api/events/${encodeURIComponent(eventId)}`, { signal }),
    [eventId],
  );
  // Its channel, asked once the event names it: the player starts without waiting for it.
  const channelId = first?.id === eventId ? first.channelId : undefined;
  const { data: channelLoaded, error: channelError } = useLoad(
    (signal) =>
      channelId
        ? request<Channel>(`/api/channels/${channelId}`, { signal })
        : Promise.resolve(undefined),
    [channelId],
  );
  // The event as last looked at: until it is live, and while it is live or its recording is
  // being made, look again (the page starts playing when the stream does, says so within
  // seconds when the stream ends, and offers the recording once it is ready).
  const [latest, setLatest] = useState<VideoEvent>();
  const loaded = latest?.id === eventId ? latest : first;
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
  if (error && !first) return <PageError error={error} what="event" />;
  if (channelError) return <PageError error={channelError} what="event" />;
  if (!loaded) return <Loading what="the event" />;
  const event = loaded;
  // (Another event's channel until this one's arrives, when going from one page to the next.)
  const channel = channelLoaded?.id === event.channelId ? channelLoaded : undefined;
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
            poster={event.posterUrl}
          />
        ) : (
          // No video yet (or none): the channel's generated picture behind what is said, or the
          // poster its owner gave a scheduled event, darkened for the text to read on.
          <div
            class="player placeholder poster-fallback"
            style={{
              "--hue": hueOf(event.channelId),
              ...(event.status === "scheduled" &&
                event.posterUrl && {
                  "--poster-picture": `linear-gradient(#0008, #0008), center / cover url("${event.posterUrl}")`,
                }),
            }}
          >
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
        {chatMode && channel && (
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
            {channel && <a href={`/c/${channel.slug}`}>{channel.title}</a>}
            {event.status === "live" && (
              <>
                {" · "}
                <ViewerCount eventId={event.id} />
              </>
            )}
          </p>
        </div>
        <div class="watch-actions">
          {channel && <SubscribeButton channel={channel} />}
          {event.status === "scheduled" && !missed && <NotifyButton event={event} />}
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
      <RelatedEvents eventId={event.id} />
    </article>
  );
}
