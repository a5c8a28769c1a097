// The dashboard's chat moderation for a channel: its rules (slow mode, followers-only, links,
// blocked words), its moderators, who is banned or timed out (lifted here), and the log of every
// moderation action. Moderators are named from a message's menu in the chat.
import { useState } from "preact/hooks";
import type { Channel } from "../api.ts";
import { request } from "../api.ts";
import { ErrorNote, Loading, useLoad } from "../components/status.tsx";
import { when } from "../format.ts";
import { useSession } from "../session.ts";
import type { ChatBan, ChatSettings, LogEntry } from "./model.ts";

const ACTIONS: Record<string, string> = {
  "message.deleted": "deleted a message by",
  "settings.changed": "changed the rules",
  "moderator.added": "named as moderator",
  "moderator.removed": "removed as moderator",
  "user.timed-out": "timed out",
  "user.banned": "banned",
  "ban.lifted": "lifted the ban on",
};

/** What a log entry's details say, briefly (the API keeps them as it received them). */
function describe(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(", ") : String(value)}`)
    .join("; ");
}

function Rules({ channel, onChanged }: { channel: Channel; onChanged: () => void }) {
  const { data, error } = useLoad(
    (signal) => request<ChatSettings>(`/api/chat/channels/${channel.id}/settings`, { signal }),
    [channel.id],
  );
  const [saved, setSaved] = useState<unknown>();
  // What the last save answered: the form shows it (the fields keep what was typed).
  const [updated, setUpdated] = useState<ChatSettings>();
  const rules = updated ?? data;
  if (error) return <ErrorNote error={error} />;
  if (!rules) return <Loading what="the chat rules" />;
  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved(undefined);
    const form = new FormData(event.currentTarget as HTMLFormElement);
    try {
      const answer = await request<ChatSettings>(`/api/chat/channels/${channel.id}/settings`, {
        method: "PATCH",
        body: {
          slowModeSeconds: Number(form.get("slowModeSeconds") ?? 0),
          followersOnly: form.get("followersOnly") === "on",
          linksAllowed: form.get("linksAllowed") === "on",
          blockedWords: String(form.get("blockedWords") ?? "")
            .split(/[\n,]/)
            .map((w) => w.trim())
            .filter(Boolean),
        },
      });
      setUpdated(answer);
      setSaved(true);
      onChanged();
    } catch (e) {
      setSaved(e);
    }
  };
  // The fields hold what is typed until a save (their values are defaults, not bound): the
  // dashboard's refreshes re-render this form every few seconds, and bound values would put the
  // stored rules back over what the person was typing. A save, or rules loaded anew, starts the
  // form again from what the API answered.
  return (
    <form key={JSON.stringify(rules)} onSubmit={submit} aria-label="Chat rules">
      <p class="field">
        <label for="chat-slow">Slow mode: seconds between one person's messages (0: off)</label>
        <input
          id="chat-slow"
          name="slowModeSeconds"
          type="number"
          min={0}
          max={3600}
          defaultValue={String(rules.slowModeSeconds)}
        />
      </p>
      <p>
        <label>
          <input type="checkbox" name="followersOnly" defaultChecked={rules.followersOnly} />{" "}
          Followers only
        </label>
      </p>
      <p>
        <label>
          <input type="checkbox" name="linksAllowed" defaultChecked={rules.linksAllowed} /> Links
          are clickable
        </label>
      </p>
      <p class="field">
        <label for="chat-blocked">Blocked words (one a line; whole words, any case)</label>
        <textarea
          id="chat-blocked"
          name="blockedWords"
          rows={4}
          defaultValue={(rules.blockedWords ?? []).join("\n")}
        />
      </p>
      <button type="submit" class="primary">
        Save rules
      </button>{" "}
      {saved === true ? (
        <span role="status">Saved</span>
      ) : saved !== undefined ? (
        <ErrorNote error={saved} />
      ) : null}
    </form>
  );
}

export function ChatModeration({ channel }: { channel: Channel }) {
  const user = useSession();
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  const [failure, setFailure] = useState<unknown>();
  const people = useLoad(
    async (signal) => {
      const base = `/api/chat/channels/${channel.id}`;
      const [moderators, bans, log] = await Promise.all([
        request<{ items: string[] }>(`${base}/moderators`, { signal }),
        request<{ items: ChatBan[] }>(`${base}/bans`, { signal }),
        request<{ items: LogEntry[] }>(`${base}/log?limit=50`, { signal }),
      ]);
      return { moderators: moderators.items, bans: bans.items, log: log.items };
    },
    [channel.id, version],
  );
  const who = (id: string | undefined) =>
    id === undefined ? "" : id === user?.id ? "you" : `account ${id.slice(0, 8)}`;
  const run = (action: () => Promise<unknown>) =>
    action().then(changed, (error: unknown) => setFailure(error));
  const { data } = people;
  return (
    <section class="panel moderation" aria-label="Chat moderation">
      <h2>Chat moderation</h2>
      <Rules channel={channel} onChanged={changed} />
      {failure !== undefined && <ErrorNote error={failure} />}
      {people.error !== undefined && <ErrorNote error={people.error} />}
      {!data ? (
        <Loading what="moderators and bans" />
      ) : (
        <>
          <h3>Moderators</h3>
          {data.moderators.length === 0 ? (
            <p class="muted">None yet: name one from a message's menu in your chat.</p>
          ) : (
            <ul>
              {data.moderators.map((id) => (
                <li key={id}>
                  {who(id)}{" "}
                  <button
                    type="button"
                    class="link"
                    onClick={() =>
                      run(() =>
                        request(`/api/chat/channels/${channel.id}/moderators/${id}`, {
                          method: "DELETE",
                        }),
                      )
                    }
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <h3>Banned and timed out</h3>
          {data.bans.length === 0 ? (
            <p class="muted">Nobody.</p>
          ) : (
            <ul>
              {data.bans.map((ban) => (
                <li key={ban.userId}>
                  {who(ban.userId)}: “{ban.reason}”{" "}
                  {ban.until ? `until ${when(ban.until)}` : "until lifted"}{" "}
                  <button
                    type="button"
                    class="link"
                    onClick={() =>
                      run(() =>
                        request(`/api/chat/channels/${channel.id}/bans/${ban.userId}`, {
                          method: "DELETE",
                        }),
                      )
                    }
                  >
                    Lift the ban
                  </button>
                </li>
              ))}
            </ul>
          )}
          <h3 id="moderation-log">Moderation log</h3>
          {data.log.length === 0 ? (
            <p class="muted">No moderation yet.</p>
          ) : (
            <table aria-labelledby="moderation-log">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>What</th>
                </tr>
              </thead>
              <tbody>
                {data.log.map((entry, i) => (
                  <tr key={`${entry.at}-${i}`}>
                    <td>
                      <time dateTime={entry.at}>{when(entry.at)}</time>
                    </td>
                    <td>{who(entry.actorId)}</td>
                    <td>
                      {ACTIONS[entry.action] ?? entry.action}
                      {entry.targetUserId && ` ${who(entry.targetUserId)}`}
                      {Object.keys(entry.detail).length > 0 && (
                        <span class="muted"> ({describe(entry.detail)})</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
