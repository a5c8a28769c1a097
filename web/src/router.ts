// A small history router: the path is state; links navigate without reloading the page.
import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  history[replace ? "replaceState" : "pushState"](null, "", to);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

addEventListener("popstate", () => {
  for (const listener of listeners) listener();
});

/** The current location, re-rendering on navigation. */
export function useLocation(): URL {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return new URL(location.href);
}

/** Same-origin links are handled here (modifier clicks still open new tabs). */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener("click", (event) => {
    const anchor = (event.target as Element).closest("a");
    if (!anchor || anchor.target || anchor.origin !== location.origin || event.defaultPrevented)
      return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return;
    if (anchor.pathname.startsWith("/hls/") || anchor.hasAttribute("download")) return;
    event.preventDefault();
    // A link within the page ("Skip to content") moves focus to its target, not only the view.
    if (anchor.hash && anchor.pathname + anchor.search === location.pathname + location.search) {
      document.getElementById(decodeURIComponent(anchor.hash.slice(1)))?.focus();
      return;
    }
    navigate(anchor.pathname + anchor.search);
  });
}
