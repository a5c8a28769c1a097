// Desktop notifications (the Notification API), opt-in: the bell's panel has the switch, which
// asks the browser's permission when clicked (never on page load). While the tab is hidden, a
// notification that arrives over the stream is shown on the desktop too; clicking it opens its
// event. No service worker (Web Push): with no tab of the platform open, nothing is shown.

import { type Notification as News, notificationText } from "@stream-platform/shared/api";
import { useState } from "preact/hooks";
import { navigate } from "./router.ts";

const KEY = "desktop-notifications";

export type DesktopState = "unsupported" | "blocked" | "off" | "on";

const supported = () => typeof Notification === "function";

/** On when the person switched it on here and the browser lets this site notify. */
function current(): DesktopState {
  if (!supported()) return "unsupported";
  if (Notification.permission === "denied") return "blocked";
  return Notification.permission === "granted" && localStorage.getItem(KEY) === "on" ? "on" : "off";
}

/** The switch's state, and turning it on (asking the browser) or off. */
export function useDesktopNotifications(): {
  state: DesktopState;
  /** Switches it on (asking the browser's permission if not asked yet) or off; what it is then. */
  set(on: boolean): Promise<DesktopState>;
} {
  const [state, setState] = useState(current);
  return {
    state,
    async set(on) {
      if (on) {
        localStorage.setItem(KEY, "on");
        // Asks the person the first time; answers at once once they have answered.
        await Notification.requestPermission();
      } else {
        localStorage.removeItem(KEY);
      }
      const now = current();
      setState(now);
      return now;
    },
  };
}

/**
 * Shows `news` on the desktop if it is switched on and nobody is looking at the tab; clicking it
 * opens its event (and calls `opened`).
 */
export function showOnDesktop(news: News, opened: () => void): void {
  if (document.visibilityState !== "hidden" || current() !== "on") return;
  // The tag: several tabs of the platform show one notification, not one each.
  const shown = new Notification(notificationText(news), { tag: news.id });
  shown.onclick = () => {
    window.focus();
    navigate(`/watch/${news.eventId}`);
    opened();
    shown.close();
  };
}
