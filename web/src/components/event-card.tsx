import type { SearchHit, VideoEvent } from "../api.ts";
import { when } from "../format.ts";
import { Countdown, StatusBadge, ViewerCount } from "./status.tsx";

/** An event in a list: where it leads, when it is, and, live, how many watch. */
export function EventCard({ event }: { event: VideoEvent | SearchHit }) {
  const highlight = "highlight" in event ? event.highlight : undefined;
  const channel = "channel" in event ? event.channel : undefined;
  return (
    <li class="card">
      <a href={`/watch/${event.id}`} class="card-link">
        <StatusBadge status={event.status} />
        {highlight?.title ? (
          // The search API escapes the text and adds only <mark> around matches.
          <h3 dangerouslySetInnerHTML={{ __html: highlight.title }} />
        ) : (
          <h3>{event.title}</h3>
        )}
      </a>
      {channel && (
        <a class="muted" href={`/c/${channel.slug}`}>
          {channel.title}
        </a>
      )}
      {highlight?.description?.[0] && (
        <p class="snippet" dangerouslySetInnerHTML={{ __html: highlight.description[0] }} />
      )}
      <p class="muted">
        {event.status === "live" ? (
          <ViewerCount eventId={event.id} />
        ) : event.status === "scheduled" ? (
          <>
            {when(event.startsAt)} · <Countdown to={event.startsAt} />
          </>
        ) : (
          when(event.startsAt)
        )}
      </p>
    </li>
  );
}

export function EventList({
  events,
  empty,
}: {
  events: (VideoEvent | SearchHit)[];
  empty: string;
}) {
  if (events.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="cards">
      {events.map((event) => (
        <EventCard key={event.id} event={event} />
      ))}
    </ul>
  );
}
