// A channel: about, subscribe, its events.
import { type Channel as ChannelBody, type Page, request, type VideoEvent } from "../api.ts";
import { EventList } from "../components/event-card.tsx";
import { ErrorNote, Loading, useLoad } from "../components/status.tsx";
import { SubscribeButton } from "../components/subscribe-button.tsx";
import { plural } from "../format.ts";

export function Channel({ slug }: { slug: string }) {
  const { data, error } = useLoad(
    async (signal) => {
      const channel = await request<ChannelBody>(`/api/channels/${encodeURIComponent(slug)}`, {
        signal,
      });
      const [events, followers] = await Promise.all([
        request<Page<VideoEvent>>(`/api/events?channelId=${channel.id}&order=desc&limit=50`, {
          signal,
        }),
        request<{ count: number }>(`/api/channels/${channel.id}/subscribers/count`, { signal }),
      ]);
      return { channel, events: events.items, followers: followers.count };
    },
    [slug],
  );
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what="the channel" />;
  document.title = `${data.channel.title} · Stream Platform`;
  return (
    <>
      <header class="watch-header">
        <div>
          <h1>{data.channel.title}</h1>
          <p class="muted">{plural(data.followers, "subscriber")}</p>
        </div>
        <SubscribeButton channelId={data.channel.id} />
      </header>
      {data.channel.description && <p class="description">{data.channel.description}</p>}
      <h2>Events</h2>
      <EventList events={data.events} empty="This channel has no events yet." />
    </>
  );
}
