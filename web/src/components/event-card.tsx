import { useEffect, useState } from "preact/hooks";
import {
  type Channel,
  type EventFigures,
  request,
  type SearchHit,
  type VideoEvent,
} from "../api.ts";
import { duration, plural, when } from "../format.ts";
import { Poster } from "./poster.tsx";
import { Countdown, DidNotStartNote, StatusBadge, useDidNotStart, ViewerCount } from "./status.tsx";

type ChannelName = Pick<Channel, "slug" | "title">;

// Lists of events name their channel by id only; a page shows many events of few channels, so
// each channel is asked for once per page load (a failed answer is forgotten, to be asked again).
const channels = new Map<string, Promise<ChannelName>>();
function channelNamed(id: string): Promise<ChannelName> {
  let known = channels.get(id);
  if (!known) {
    known = request<Channel>(`/api/channels/${encodeURIComponent(id)}`);
    known.catch(() => channels.delete(id));
    channels.set(id, known);
  }
  return known;
}

/** The event's channel: given with a search hit, else asked for (once per channel). */
function useChannel(event: VideoEvent | SearchHit): ChannelName | undefined {
  const given = "channel" in event ? event.channel : undefined;
  const [channel, setChannel] = useState<ChannelName | undefined>(given);
  useEffect(() => {
    if (given) return;
    let stopped = false;
    channelNamed(event.channelId).then(
      (c) => !stopped && setChannel(c),
      () => undefined,
    );
    return () => {
      stopped = true;
    };
  }, [event.channelId, given]);
  return given ?? channel;
}

function ChannelLink({ channel }: { channel?: ChannelName }) {
  if (!channel) return null;
  return (
    <a class="muted card-channel" href={`/c/${channel.slug}`}>
      {channel.title}
    </a>
  );
}

/** A recording's length and how many watched it (its figures no longer move: asked once). */
function RecordingFacts({ event }: { event: VideoEvent | SearchHit }) {
  const [views, setViews] = useState<number>();
  useEffect(() => {
    let stopped = false;
    request<EventFigures>(`/api/analytics/events/${encodeURIComponent(event.id)}`).then(
      (f) => !stopped && setViews(f.unique),
      () => undefined,
    );
    return () => {
      stopped = true;
    };
  }, [event.id]);
  const length = event.endsAt ? duration(event.startsAt, event.endsAt) : undefined;
  return (
    <>
      {when(event.startsAt)}
      {length && (
        <>
          {" · "}
          <span data-testid="duration">{length}</span>
        </>
      )}
      {views !== undefined && (
        <>
          {" · "}
          <span data-testid="views">{plural(views, "view")}</span>
        </>
      )}
    </>
  );
}

/**
 * An event in a list: where it leads, whose it is, when it is, and, live, how many watch; `note`
 * says why a shelf shows it ("Because you watched …").
 */
export function EventCard({ event, note }: { event: VideoEvent | SearchHit; note?: string }) {
  const highlight = "highlight" in event ? event.highlight : undefined;
  const missed = useDidNotStart(event);
  const channel = useChannel(event);
  return (
    <li class="card">
      <a href={`/watch/${event.id}`} class="card-link">
        <Poster event={event} channelName={channel?.title} />
        <StatusBadge status={event.status} missed={missed} />
        {highlight?.title ? (
          // The search API escapes the text and adds only <mark> around matches.
          <h3 dangerouslySetInnerHTML={{ __html: highlight.title }} />
        ) : (
          <h3>{event.title}</h3>
        )}
      </a>
      <ChannelLink channel={channel} />
      {highlight?.description?.[0] && (
        <p class="snippet" dangerouslySetInnerHTML={{ __html: highlight.description[0] }} />
      )}
      <p class="muted">
        {event.status === "live" ? (
          <ViewerCount eventId={event.id} />
        ) : missed ? (
          <DidNotStartNote startsAt={event.startsAt} />
        ) : event.status === "scheduled" ? (
          <>
            {when(event.startsAt)} · <Countdown to={event.startsAt} />
          </>
        ) : event.status === "ended" ? (
          <RecordingFacts event={event} />
        ) : (
          when(event.startsAt)
        )}
      </p>
      {note && <p class="muted card-note">{note}</p>}
    </li>
  );
}

export function EventList({
  events,
  empty,
  note,
}: {
  events: (VideoEvent | SearchHit)[];
  empty: string;
  /** A card's note, if it has one (EventCard). */
  note?: (event: VideoEvent | SearchHit) => string | undefined;
}) {
  if (events.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="cards">
      {events.map((event) => (
        <EventCard key={event.id} event={event} note={note?.(event)} />
      ))}
    </ul>
  );
}
