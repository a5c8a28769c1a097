// A signed-in person watching, for tests: a view token from the analytics API (it names them),
// then one beacon saying how long they played, as the web player reports it. A new view is a
// new session, whose beats count up to 75 s of playback a minute (analytics' pace).
import { api } from "./platform.ts";

export async function watchAs(
  token: string,
  eventId: string,
  seconds = 40,
  /** Where they stopped (default: `seconds` in) and, for a recording, its length. */
  at: { position?: number; duration?: number } = {},
): Promise<void> {
  const view = await api<{ token: string }>("/api/analytics/views", { token, body: { eventId } });
  if (view.status !== 201) throw new Error(`no view token for ${eventId}: ${view.status}`);
  const sent = await api("/api/analytics/beacons", {
    body: {
      viewToken: view.body.token,
      seq: 1,
      position: at.position ?? seconds,
      playedSeconds: seconds,
      ...(at.duration !== undefined && { duration: at.duration }),
    },
  });
  if (sent.status !== 202) throw new Error(`the beacon was refused: ${sent.status}`);
}
