// A channel: its banner and avatar, whether it is live now, about, subscribe, its events.
import { type Channel as ChannelBody, type Page, request, type VideoEvent } from "../api.ts";
import { EventList } from "../components/event-card.tsx";
import { PageError } from "../components/page-error.tsx";
import { hueOf, initialOf } from "../components/poster.tsx";
import { Loading, StatusBadge, useLoad } from "../components/status.tsx";
import { SubscribeButton } from "../components/subscribe-button.tsx";

export function Channel({ slug }: { slug: string }) {
  const { data, error } = useLoad(
    async (signal) => {
      const channel = await request<ChannelBody>(`/api/channels/${encodeURIComponent(slug)}`, {
        signal,
      });
      const events = await request<Page<VideoEvent>>(
        `/api/events?channelId=${channel.id}&order=desc&limit=50`,
        { signal },
      );
      return { channel, events: events.items };
    },
    [slug],
  );
  if (error) return <PageError error={error} what="channel" />;
  if (!data) return <Loading what="the channel" />;
  document.title = `${data.channel.title} · Stream Platform`;
  const hue = hueOf(data.channel.id);
  const live = data.events.find((event) => event.status === "live");
  // The banner: the live frame, else its latest recording's poster, over the channel's hue.
  const pictured = live ?? data.events.find((event) => event.posterUrl);
  return (
    <>
      <div
        class="channel-banner"
        aria-hidden="true"
        style={{
          background: `linear-gradient(120deg, hsl(${hue} 55% 32%), hsl(${(hue + 50) % 360} 60% 55%))`,
        }}
      >
        {pictured?.posterUrl && (
          <img
            src={pictured.posterUrl}
            alt=""
            width={640}
            height={360}
            onError={(e) => {
              e.currentTarget.hidden = true;
            }}
          />
        )}
      </div>
      <header class="watch-header channel-header">
        <span
          class={live ? "avatar avatar-live" : "avatar"}
          aria-hidden="true"
          style={{ background: `hsl(${hue} 45% 32%)` }}
        >
          {initialOf(data.channel.title) || "?"}
        </span>
        <div>
          <h1>{data.channel.title}</h1>
          {live && (
            <p>
              <a href={`/watch/${live.id}`} class="live-now">
                <StatusBadge status="live" /> Live now: {live.title}
              </a>
            </p>
          )}
        </div>
        <SubscribeButton channel={data.channel} />
      </header>
      {data.channel.description && <p class="description">{data.channel.description}</p>}
      <h2>Events</h2>
      <EventList events={data.events} empty="This channel has no events yet." />
    </>
  );
}
