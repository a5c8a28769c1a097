// How times and figures read on screen.
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export const when = (iso: string) => dateTime.format(new Date(iso));

/**
 * "in 2 h 05 min", "in 45 s", "starting soon" — for countdowns. Past the start time it stays
 * "starting soon" only while the event may still start (see START_GRACE_MS: the page then says
 * it did not start).
 */
export function countdown(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (seconds <= 0) return "starting soon";
  const days = Math.floor(seconds / 86_400);
  if (days > 0) return `in ${days} d ${Math.floor((seconds % 86_400) / 3600)} h`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `in ${hours} h ${String(minutes).padStart(2, "0")} min`;
  if (minutes > 0) return `in ${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `in ${seconds} s`;
}

export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** How long from `start` to `end`: "1 h 05 min", "12 min", "40 s"; undefined if not after. */
export function duration(start: string, end: string): string | undefined {
  const seconds = Math.round((new Date(end).getTime() - new Date(start).getTime()) / 1000);
  if (!(seconds > 0)) return undefined;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, "0")} min`;
  return minutes > 0 ? `${minutes} min` : `${seconds} s`;
}
