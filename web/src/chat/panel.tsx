// The watch page's chat: live (the room over SSE from stream-server's gateway, which sends the
// last 50 on joining and, after a drop, what was missed: see event-stream.ts) or, on a
// recording, replayed at each message's offset as the player plays and seeks.
// Text is only ever rendered as text nodes; links are links only where the channel allows them.
import { useEffect, useRef, useState } from "preact/hooks";
import { request, type User } from "../api.ts";
import { TraceLink } from "../components/trace-link.tsx";
import { followEventStream } from "../event-stream.ts";
import { useSession } from "../session.ts";
import {
  type ChatMessage,
  type ChatSettings,
  merge,
  position,
  refusalText,
  segments,
  shownAt,
} from "./model.ts";

const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

export interface ChatRoom {
  eventId: string;
  channelId: string;
  ownerId: string;
  /** live: posting and live delivery; replay: the recording's messages at their offsets. */
  mode: "live" | "replay";
}

/** The live room: the messages held and whether the stream is connected. */
function useLiveMessages(eventId: string, enabled: boolean) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    return followEventStream({
      path: "/api/chat/stream",
      params: { eventId },
      connected: setConnected,
      on: {
        message: (data) => setMessages((held) => merge(held, [data as ChatMessage])),
        deleted: (data) => {
          const { id } = data as { id: string };
          setMessages((held) => held.filter((m) => m.id !== id));
        },
      },
    });
  }, [eventId, enabled]);
  return { messages, setMessages, connected };
}

/** A recording's messages (all of them, by pages of 500 from an offset), oldest first. */
function useReplayMessages(eventId: string, enabled: boolean) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    (async () => {
      let all: ChatMessage[] = [];
      let from = 0;
      for (;;) {
        const page = await request<{ items: ChatMessage[] }>(
          `/api/chat/events/${encodeURIComponent(eventId)}/messages?fromOffset=${from}&limit=500`,
          { signal: controller.signal },
        );
        all = merge(all, page.items, Number.POSITIVE_INFINITY);
        const last = page.items.at(-1)?.offsetSeconds;
        // A full page may end mid-second: go on from that second (merge drops repeats).
        if (page.items.length < 500 || last === undefined || last <= from) break;
        from = last;
      }
      setMessages(all);
      setLoaded(true);
    })().catch(() => setLoaded(true));
    return () => controller.abort();
  }, [eventId, enabled]);
  return { messages, setMessages, loaded };
}

/** The player's position: media events do not bubble, but the document sees them captured. */
function usePlayerTime(enabled: boolean): number {
  const [time, setTime] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    const update = (event: Event) => {
      const video = event.target;
      if (!(video instanceof HTMLVideoElement)) return;
      // At the end, all of it: a loaded encoder makes a recording shorter than the wall-clock
      // time its messages were sent in, and those sent last would otherwise never show.
      const atEnd = video.ended || video.currentTime >= video.duration - 0.5;
      setTime(atEnd ? Number.POSITIVE_INFINITY : video.currentTime);
    };
    const kinds = ["timeupdate", "seeking", "seeked", "loadedmetadata", "ended"];
    for (const kind of kinds) document.addEventListener(kind, update, true);
    return () => {
      for (const kind of kinds) document.removeEventListener(kind, update, true);
    };
  }, [enabled]);
  return time;
}

function MessageText({ text, linksAllowed }: { text: string; linksAllowed: boolean }) {
  return (
    <span class="chat-text">
      {segments(text, linksAllowed).map((part, i) =>
        "href" in part ? (
          <a key={i} href={part.href} rel="nofollow noopener noreferrer" target="_blank">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </span>
  );
}

/** A moderator's actions on a message: a disclosure of buttons (keyboard: Tab, Enter, Escape). */
function MessageMenu({
  message,
  room,
  user,
  onDeleted,
}: {
  message: ChatMessage;
  room: ChatRoom;
  user: User;
  onDeleted: (id: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [sanction, setSanction] = useState<"timeout" | "ban">();
  const [note, setNote] = useState<string>();
  const isSelf = message.userId === user.id;
  const act = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      setNote(done);
      setSanction(undefined);
      setOpen(false);
    } catch (error) {
      setNote(refusalText(error));
    }
  };
  const remove = () =>
    act(async () => {
      await request(`/api/chat/messages/${encodeURIComponent(message.id)}`, { method: "DELETE" });
      onDeleted(message.id);
    }, "Deleted");
  const punish = (event: Event) => {
    event.preventDefault();
    const reason = String(
      new FormData(event.currentTarget as HTMLFormElement).get("reason") ?? "",
    ).trim();
    const minutes = sanction === "timeout" ? 10 : undefined;
    return act(
      () =>
        request(`/api/chat/channels/${room.channelId}/bans/${message.userId}`, {
          method: "PUT",
          body: { reason, ...(minutes && { minutes }) },
        }),
      sanction === "timeout"
        ? `${message.author} timed out for 10 min`
        : `${message.author} banned`,
    );
  };
  const makeModerator = () =>
    act(
      () =>
        request(`/api/chat/channels/${room.channelId}/moderators/${message.userId}`, {
          method: "PUT",
        }),
      `${message.author} is a moderator`,
    );
  const menuId = `chat-menu-${message.id}`;
  return (
    <div class="chat-menu">
      <button
        type="button"
        class="icon chat-menu-button"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={`Moderate the message from ${message.author}`}
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      {open && (
        <fieldset
          id={menuId}
          class="chat-menu-items"
          onKeyDown={(e) => {
            if (e.key !== "Escape") return;
            setOpen(false);
            setSanction(undefined);
          }}
        >
          <legend class="visually-hidden">Moderate this message</legend>
          <button type="button" onClick={remove}>
            Delete message
          </button>
          {!isSelf && message.userId !== room.ownerId && (
            <>
              <button type="button" onClick={() => setSanction("timeout")}>
                Time out 10 min
              </button>
              <button type="button" onClick={() => setSanction("ban")}>
                Ban
              </button>
              {user.id === room.ownerId && (
                <button type="button" onClick={makeModerator}>
                  Make moderator
                </button>
              )}
            </>
          )}
          {sanction && (
            <form onSubmit={punish} class="chat-sanction">
              <label>
                Reason{" "}
                <input
                  name="reason"
                  required
                  maxLength={200}
                  // biome-ignore lint/a11y/noAutofocus: the field the person just asked for
                  autoFocus
                />
              </label>
              <button type="submit" class="danger">
                {sanction === "timeout" ? "Time out" : "Ban"} {message.author}
              </button>
            </form>
          )}
        </fieldset>
      )}
      {note && (
        <span class="muted chat-note" role="status">
          {note}
        </span>
      )}
    </div>
  );
}

function PostForm({ eventId, onPosted }: { eventId: string; onPosted: (m: ChatMessage) => void }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  /** The refusal itself: an operator may open its trace. */
  const [failure, setFailure] = useState<unknown>();
  const [sending, setSending] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!text.trim() || sending) return;
    setSending(true);
    try {
      const message = await request<ChatMessage>(
        `/api/chat/events/${encodeURIComponent(eventId)}/messages`,
        { body: { text } },
      );
      onPosted(message);
      setText("");
      setError(undefined);
      setFailure(undefined);
    } catch (e) {
      setError(refusalText(e));
      setFailure(e);
    } finally {
      setSending(false);
    }
  };
  return (
    <form class="chat-form" onSubmit={submit} aria-label="Send a chat message">
      <label for="chat-input" class="visually-hidden">
        Chat message
      </label>
      <input
        id="chat-input"
        value={text}
        autoComplete="off"
        placeholder="Say something…"
        aria-describedby={error ? "chat-error" : undefined}
        aria-invalid={error ? true : undefined}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" class="primary" disabled={sending}>
        Send
      </button>
      {error && (
        <p id="chat-error" class="error chat-error" role="alert">
          {error}
          <TraceLink error={failure} />
        </p>
      )}
    </form>
  );
}

export function ChatPanel({ room }: { room: ChatRoom }) {
  const user = useSession();
  const live = useLiveMessages(room.eventId, room.mode === "live");
  const replay = useReplayMessages(room.eventId, room.mode === "replay");
  const time = usePlayerTime(room.mode === "replay");
  const [settings, setSettings] = useState<ChatSettings>();
  useEffect(() => {
    request<ChatSettings>(`/api/chat/channels/${room.channelId}/settings`)
      .then(setSettings)
      .catch(() => undefined);
  }, [room.channelId, user?.id]);
  const messages = room.mode === "live" ? live.messages : shownAt(replay.messages, time);
  const drop = (id: string) =>
    (room.mode === "live" ? live.setMessages : replay.setMessages)((held) =>
      held.filter((m) => m.id !== id),
    );

  // Follow the newest message, unless the person scrolled up to read.
  const list = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const element = list.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [messages.length, messages.at(-1)?.id]);

  const canModerate = Boolean(user && settings?.canModerate);
  return (
    <aside class="chat" aria-labelledby="chat-heading">
      <header class="chat-header">
        <h2 id="chat-heading">{room.mode === "live" ? "Chat" : "Chat replay"}</h2>
        {room.mode === "live" && (
          <span class="muted" data-testid="chat-connection">
            {live.connected ? "connected" : "connecting…"}
          </span>
        )}
        {settings && settings.slowModeSeconds > 0 && (
          <span class="muted">slow mode: {settings.slowModeSeconds} s</span>
        )}
      </header>
      <ol
        ref={list}
        class="chat-messages"
        aria-live="polite"
        aria-relevant="additions"
        aria-label="Chat messages"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region is reached by keyboard
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {messages.map((message) => (
          <li key={message.id} class="chat-message" data-message-id={message.id}>
            <div class="chat-meta">
              <strong class="chat-author">{message.author}</strong>{" "}
              {room.mode === "replay" && message.offsetSeconds !== undefined ? (
                <span class="muted">{position(message.offsetSeconds)}</span>
              ) : (
                <time class="muted" dateTime={message.sentAt}>
                  {timeOfDay.format(new Date(message.sentAt))}
                </time>
              )}
              {canModerate && user && (
                <MessageMenu message={message} room={room} user={user} onDeleted={drop} />
              )}
            </div>
            <MessageText text={message.text} linksAllowed={settings?.linksAllowed ?? false} />
          </li>
        ))}
      </ol>
      {messages.length === 0 && (
        <p class="muted chat-empty">
          {room.mode === "live"
            ? "No messages yet."
            : replay.loaded
              ? "No messages up to this point of the recording."
              : "Loading the chat…"}
        </p>
      )}
      {room.mode === "live" &&
        (user ? (
          <PostForm
            eventId={room.eventId}
            onPosted={(m) => live.setMessages((h) => merge(h, [m]))}
          />
        ) : user === null ? (
          <p class="chat-signin">
            <a href={`/account?next=/watch/${room.eventId}`}>Sign in</a> to chat.
          </p>
        ) : null)}
    </aside>
  );
}
