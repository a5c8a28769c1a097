// The tab's title leads with the unread notifications, "(3) Stream Platform", whatever page set
// the rest: pages set document.title as they like, and the count is put back in front of it.
const COUNT = /^\(\d+\+?\) /;
let unread = 0;
let watching = false;

function apply(): void {
  const base = document.title.replace(COUNT, "");
  const wanted = unread > 0 ? `(${unread > 99 ? "99+" : unread}) ${base}` : base;
  // Setting it is itself a change the observer sees: only when it differs, so that one stops.
  if (document.title !== wanted) document.title = wanted;
}

/** Shows `count` unread in the tab's title (none: the title alone). */
export function showUnreadInTitle(count: number): void {
  unread = count;
  const title = document.querySelector("title");
  if (!watching && title) {
    watching = true;
    new MutationObserver(apply).observe(title, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  }
  apply();
}
