// The creator dashboard: a channel, its stream key (hidden until asked) with OBS settings, its
// events (schedule, edit, give a poster before it starts, cancel; a live one renamed), the
// viewers of its current or last event (live, then its final figures), its live stream's preview
// and health, and its chat's moderation.
import { didNotStart } from "@stream-platform/shared/api";
import { useEffect, useState } from "preact/hooks";
import { type Channel, type EventDetails, type Page, request, type VideoEvent } from "../api.ts";
import { LineChart, type Point } from "../components/chart.tsx";
import { FieldError, FormProblem, invalid } from "../components/form.tsx";
import { lazy } from "../components/lazy.tsx";
import { PosterUpload } from "../components/poster-upload.tsx";
import { ErrorNote, Loading, StatusBadge, useLoad } from "../components/status.tsx";
import { duration, plural, when } from "../format.ts";
import { navigate } from "../router.ts";
import { useSession } from "../session.ts";

// The chat's moderation is a chunk of its own (with the watch page's chat), not the home page's.
const ChatModeration = lazy(() => import("../chat/moderation.tsx").then((m) => m.ChatModeration));
// The live stream's preview (hls.js) and health: only while live, in a chunk of its own.
const StreamMonitor = lazy(() =>
  import("../components/stream-monitor.tsx").then((m) => m.StreamMonitor),
);

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/** When it starts: the planned time, and once it went live when it really started. */
function StartTime({ event }: { event: VideoEvent }) {
  if (!event.startedAt) return <>{when(event.startsAt)}</>;
  const started = clock.format(new Date(event.startedAt));
  // A stream nobody scheduled was planned for no time but its own.
  if (Math.abs(Date.parse(event.startedAt) - Date.parse(event.startsAt)) < 60_000)
    return <>Started {when(event.startedAt)}</>;
  return (
    <>
      Planned {when(event.startsAt)} · started {started}
    </>
  );
}

const formValues = (event: Event) => {
  const form = new FormData(event.currentTarget as HTMLFormElement);
  return (name: string) => String(form.get(name) ?? "").trim();
};

function CreateChannel({ onCreated }: { onCreated: () => void }) {
  const [error, setError] = useState<unknown>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const value = formValues(event);
    try {
      await request("/api/channels", {
        body: { slug: value("slug"), title: value("title"), description: value("description") },
      });
      onCreated();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form onSubmit={submit} class="panel" aria-label="Create a channel">
      <h2>Create your channel</h2>
      <p class="field">
        <label for="c-title">Title</label>
        <input
          id="c-title"
          name="title"
          required
          maxLength={120}
          {...invalid(error, "title", "c-title")}
        />
        <FieldError error={error} field="title" id="c-title" />
      </p>
      <p class="field">
        <label for="c-slug">Address (letters, digits, dashes)</label>
        <input
          id="c-slug"
          name="slug"
          required
          pattern="[a-z0-9][a-z0-9\-]{1,62}[a-z0-9]"
          {...invalid(error, "slug", "c-slug")}
        />
        <FieldError error={error} field="slug" id="c-slug" />
      </p>
      <p class="field">
        <label for="c-description">About</label>
        <textarea
          id="c-description"
          name="description"
          rows={3}
          {...invalid(error, "description", "c-description")}
        />
        <FieldError error={error} field="description" id="c-description" />
      </p>
      <FormProblem error={error} fields={["title", "slug", "description"]} />
      <button type="submit" class="primary">
        Create channel
      </button>
    </form>
  );
}

function StreamKey({ channel }: { channel: Channel }) {
  const [key, setKey] = useState<string | null>();
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<unknown>();
  const server = `rtmp://${location.hostname}:1935/live`;
  const run = (action: () => Promise<void>) => action().catch(setError);
  const show = () =>
    run(async () => {
      setKey(
        (await request<{ streamKey: string | null }>(`/api/channels/${channel.id}/stream-key`))
          .streamKey,
      );
    });
  const rotate = () =>
    run(async () => {
      if (!confirm("A new key stops the old one: OBS must be given the new key. Rotate?")) return;
      setKey(
        (
          await request<{ streamKey: string }>(`/api/channels/${channel.id}/stream-key`, {
            method: "POST",
          })
        ).streamKey,
      );
    });
  const copy = () =>
    run(async () => {
      if (key) await navigator.clipboard.writeText(key);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    });
  return (
    <section class="panel" aria-label="Streaming">
      <h2>Stream with OBS</h2>
      <p>
        Settings → Stream → Service <em>Custom…</em>, Server <code>{server}</code>, and your stream
        key. Start streaming: your event scheduled within the hour goes live (or a “Live now” one is
        made).
      </p>
      {/* What keeps viewers closest to live (#25): keyframes on the 2 s segment clock, so the
          original quality is offered and segments close on time; no encoder delay. */}
      <details class="obs-settings">
        <summary>Recommended OBS settings (lowest latency)</summary>
        <dl>
          <dt>Settings → Output</dt>
          <dd>
            Output Mode <em>Advanced</em>, Encoder <em>x264</em> (or your GPU's H.264), Rate Control{" "}
            <em>CBR</em>, Bitrate <em>4500 Kbps</em> or less
          </dd>
          <dt>Keyframe Interval</dt>
          <dd>
            <em>2 s</em> (not “auto”: keyframes further apart leave the original quality out)
          </dd>
          <dt>CPU Usage Preset, Profile, Tune</dt>
          <dd>
            <em>veryfast</em>, <em>high</em>, <em>zerolatency</em> (no B-frames: frames leave OBS as
            soon as they are encoded)
          </dd>
          <dt>Audio</dt>
          <dd>AAC, 128–160 Kbps</dd>
        </dl>
      </details>
      {key ? (
        <p class="field">
          <label for="stream-key">Stream key (keep it secret)</label>
          <span class="row">
            <input id="stream-key" readOnly value={key} data-testid="stream-key" />
            <button type="button" onClick={copy}>
              {copied ? "Copied" : "Copy"}
            </button>
            <button type="button" onClick={() => setKey(undefined)}>
              Hide
            </button>
          </span>
        </p>
      ) : (
        <button type="button" onClick={show}>
          Show stream key
        </button>
      )}{" "}
      <button type="button" class="secondary" onClick={rotate}>
        Rotate key
      </button>
      {error !== undefined && <ErrorNote error={error} />}
    </section>
  );
}

/** datetime-local (the viewer's time zone) ↔ RFC 3339. */
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : "");

function EventForm({
  channel,
  event,
  onDone,
}: {
  channel: Channel;
  event?: VideoEvent;
  onDone: () => void;
}) {
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const value = formValues(e);
    // An edit sends the start time only when it was changed: one that has passed (the event did
    // not start) may stay as it is while the rest is edited.
    // A live event's start is when it started: not sent at all.
    const startsAt =
      event && (event.status === "live" || value("startsAt") === toLocalInput(event.startsAt))
        ? {}
        : { startsAt: fromLocalInput(value("startsAt")) };
    const body = {
      title: value("title"),
      description: value("description"),
      ...startsAt,
      tags: value("tags")
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
      ...(value("category") && { category: value("category") }),
    };
    try {
      if (event) await request(`/api/events/${event.id}`, { method: "PATCH", body });
      else await request("/api/events", { body: { channelId: channel.id, ...body } });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  const soon = new Date(Date.now() + 30 * 60_000).toISOString();
  // No time that has passed (the API refuses it too), except the event's own, kept as it is.
  const now = new Date().toISOString();
  const earliest = event && event.startsAt < now ? event.startsAt : now;
  return (
    <form
      onSubmit={submit}
      class="panel"
      aria-label={event ? "Edit the event" : "Schedule an event"}
    >
      <h3>{event ? "Edit the event" : "Schedule an event"}</h3>
      <p class="field">
        <label for="e-title">Title</label>
        <input
          id="e-title"
          name="title"
          required
          maxLength={200}
          defaultValue={event?.title}
          {...invalid(error, "title", "e-title")}
        />
        <FieldError error={error} field="title" id="e-title" />
      </p>
      {event?.status === "live" ? (
        <p>
          Live: <StartTime event={event} />
        </p>
      ) : (
        <p class="field">
          <label for="e-starts">Starts</label>
          <input
            id="e-starts"
            name="startsAt"
            type="datetime-local"
            required
            defaultValue={toLocalInput(event?.startsAt ?? soon)}
            min={toLocalInput(earliest)}
            {...invalid(error, "startsAt", "e-starts")}
          />
          <FieldError error={error} field="startsAt" id="e-starts" />
        </p>
      )}
      <p class="field">
        <label for="e-description">Description</label>
        <textarea
          id="e-description"
          name="description"
          rows={3}
          defaultValue={event?.description}
          {...invalid(error, "description", "e-description")}
        />
        <FieldError error={error} field="description" id="e-description" />
      </p>
      <p class="field">
        <label for="e-tags">Tags (comma-separated)</label>
        <input
          id="e-tags"
          name="tags"
          defaultValue={event?.tags.join(", ")}
          {...invalid(error, "tags", "e-tags")}
        />
        <FieldError error={error} field="tags" id="e-tags" />
      </p>
      <p class="field">
        <label for="e-category">Category</label>
        <input
          id="e-category"
          name="category"
          defaultValue={event?.category}
          {...invalid(error, "category", "e-category")}
        />
        <FieldError error={error} field="category" id="e-category" />
      </p>
      {event?.status === "scheduled" && <PosterUpload event={event} channelName={channel.title} />}
      <FormProblem
        error={error}
        fields={["title", "startsAt", "description", "tags", "category"]}
      />
      <button type="submit" class="primary">
        {event ? "Save" : "Schedule"}
      </button>{" "}
      <button type="button" onClick={onDone}>
        Close
      </button>
    </form>
  );
}

/**
 * An event's analytics: live, its concurrent viewers sampled every 5 s; afterwards, viewers per
 * minute from the timeline over the whole stream, with the final figures; the owner's figures
 * either way.
 */
function EventAnalytics({ event }: { event: VideoEvent }) {
  const [points, setPoints] = useState<Point[]>([]);
  const [details, setDetails] = useState<EventDetails>();
  const live = event.status === "live";
  useEffect(() => {
    setPoints([]);
    setDetails(undefined);
    const sample = async () => {
      const owner = await request<EventDetails>(`/api/analytics/events/${event.id}/details`);
      setDetails(owner);
      if (live) setPoints((p) => [...p, { at: Date.now(), value: owner.concurrent }].slice(-120));
      else setPoints(owner.timeline.map((m) => ({ at: Date.parse(m.minute), value: m.viewers })));
    };
    sample().catch(() => undefined);
    if (!live) return;
    const timer = setInterval(() => sample().catch(() => undefined), 5000);
    return () => clearInterval(timer);
  }, [event.id, live]);
  const began = Date.parse(event.startedAt ?? event.startsAt);
  const ended = event.endsAt ? Date.parse(event.endsAt) : undefined;
  return (
    <section class="panel" aria-label="Viewers">
      <h2>
        Viewers of “{event.title}” <StatusBadge status={event.status} />
      </h2>
      <LineChart
        points={points}
        label={live ? "Concurrent viewers" : "Viewers per minute"}
        live={live}
        {...(!live && { from: began, ...(ended && { to: ended }) })}
      />
      {details && (
        <p class="muted" data-testid={live ? "live-figures" : "final-figures"}>
          {live ? "" : "Final figures: "}
          peak {details.peak} · {plural(details.unique, "unique viewer")} · watch time{" "}
          {Math.round(details.watchSeconds / 60)} min (average{" "}
          {Math.round(details.averageWatchSeconds)} s) · rebuffering{" "}
          {(details.rebufferingRatio * 100).toFixed(1)} %
          {!live && ended && (
            <>
              {" "}
              · streamed for{" "}
              {duration(new Date(began).toISOString(), event.endsAt as string) ?? "under a second"}
            </>
          )}
        </p>
      )}
    </section>
  );
}

function ChannelEvents({ channel }: { channel: Channel }) {
  const [editing, setEditing] = useState<VideoEvent | "new">();
  const [chosen, setChosen] = useState<string>();
  const { data, error, reload } = useLoad(
    (signal) =>
      request<Page<VideoEvent>>(`/api/events?channelId=${channel.id}&order=desc&limit=50`, {
        signal,
      }),
    [channel.id],
  );
  // A stream that starts or ends changes the list: look again every 10 s.
  useEffect(() => {
    const timer = setInterval(reload, 10_000);
    return () => clearInterval(timer);
  }, [channel.id]);
  const cancel = async (event: VideoEvent) => {
    if (!confirm(`Cancel “${event.title}”? Its followers are told.`)) return;
    await request(`/api/events/${event.id}`, { method: "DELETE" });
    reload();
  };
  const events = data?.items ?? [];
  const live = events.find((e) => e.status === "live");
  // The chosen event's analytics, or else the live one's, or else the last stream's (its final
  // figures stay when the stream ends).
  const shown =
    events.find((e) => e.id === chosen) ?? live ?? events.find((e) => e.status === "ended");
  return (
    <>
      {live && <StreamMonitor key={live.id} channelId={channel.id} event={live} />}
      {shown && <EventAnalytics key={shown.id} event={shown} />}
      <section class="panel" aria-label="Events">
        <h2>Events</h2>
        {error !== undefined && <ErrorNote error={error} />}
        {editing ? (
          <EventForm
            // A new form per event: its fields are uncontrolled (they keep what was typed).
            key={editing === "new" ? "new" : editing.id}
            channel={channel}
            event={editing === "new" ? undefined : editing}
            onDone={() => {
              setEditing(undefined);
              reload();
            }}
          />
        ) : (
          <button type="button" class="primary" onClick={() => setEditing("new")}>
            Schedule an event
          </button>
        )}
        {!data ? (
          <Loading what="events" />
        ) : events.length === 0 ? (
          <p class="muted">No events yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Event</th>
                <th>Starts</th>
                <th>Status</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <td>
                    <a href={`/watch/${event.id}`}>{event.title}</a>
                    {/* A phone has no Starts column: the time goes under the title. */}
                    <small class="start-under muted">
                      <StartTime event={event} />
                    </small>
                  </td>
                  <td>
                    <StartTime event={event} />
                  </td>
                  <td>
                    <StatusBadge status={event.status} missed={didNotStart(event)} />
                  </td>
                  <td>
                    {(event.status === "live" || event.status === "ended") && (
                      <button type="button" class="link" onClick={() => setChosen(event.id)}>
                        Analytics
                      </button>
                    )}
                    {(event.status === "scheduled" || event.status === "live") && (
                      <>
                        {" "}
                        <button
                          type="button"
                          class="link"
                          onClick={() => setEditing(event)}
                          aria-label={`Edit “${event.title}”`}
                        >
                          Edit
                        </button>
                      </>
                    )}
                    {event.status === "scheduled" && (
                      <>
                        {" "}
                        <button type="button" class="link" onClick={() => cancel(event)}>
                          Cancel
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

export function Dashboard() {
  const user = useSession();
  const { data, error, reload } = useLoad(
    (signal) =>
      user
        ? request<{ items: Channel[] }>("/api/me/channels", { signal })
        : Promise.resolve(undefined),
    [user?.id],
  );
  // Signed out: to the sign-in page, and back here afterwards.
  useEffect(() => {
    if (user === null) navigate("/account?next=/dashboard", true);
  }, [user]);
  if (user === null) return null;
  if (user === undefined || (!data && !error)) return <Loading what="your dashboard" />;
  if (error) return <ErrorNote error={error} />;
  const channel = data?.items[0];
  return (
    <>
      <h1>Creator dashboard</h1>
      {channel ? (
        <>
          <p>
            Your channel: <a href={`/c/${channel.slug}`}>{channel.title}</a>
          </p>
          <StreamKey channel={channel} />
          <ChannelEvents channel={channel} />
          <ChatModeration channel={channel} />
        </>
      ) : (
        <CreateChannel onCreated={reload} />
      )}
    </>
  );
}
