// Each person as the ranking reads them (rank.ts's Person): their history entries (event,
// seconds, when) and the channels they follow, held in the API's memory so that a request reads
// no collection. Kept by the store's own rules (store.ts), so that taking in its documents and
// the change log in any order, any number of times, ends where the store is:
//   an entry: the latest `at` wins; clearing one keeps it, with 0 s, dated the later of the two
//   a clearing of all their history: entries up to its date go, and none up to it comes back
//   a deletion: everything of the person goes, and nothing of them comes back
//   a follow: the latest subscription event wins
// Pure: no I/O, no clock.
import type { Person } from "./rank.ts";

interface PersonState {
  /** One entry per event, in three columns (compact: a million entries in a few tens of MiB). */
  events: number[];
  seconds: number[];
  at: number[];
  /** Entries up to this date (ms) were cleared; 0 if never. */
  clearedAt: number;
  /** Channel → as of the latest subscription event (its time, ms). */
  follows?: Map<string, { following: boolean; at: number }>;
}

export class People {
  private readonly people = new Map<string, PersonState>();
  private readonly deleted = new Set<string>();
  /** Event ids, each kept once (the entries hold their numbers). */
  private readonly eventIds: string[] = [];
  private readonly eventNos = new Map<string, number>();

  /** The number standing for an event id (given on first sight). */
  eventNo(eventId: string): number {
    let no = this.eventNos.get(eventId);
    if (no === undefined) {
      no = this.eventIds.length;
      this.eventIds.push(eventId);
      this.eventNos.set(eventId, no);
    }
    return no;
  }

  eventId(no: number): string {
    return this.eventIds[no] as string;
  }

  private stateOf(personId: string): PersonState | undefined {
    if (this.deleted.has(personId)) return undefined;
    let state = this.people.get(personId);
    if (!state) {
      state = { events: [], seconds: [], at: [], clearedAt: 0 };
      this.people.set(personId, state);
    }
    return state;
  }

  /**
   * Their entry of an event as it stands at `at` (ms), unless a later one is known. False when
   * the person is deleted or cleared their history since: the view is not theirs to learn from.
   */
  view(personId: string, eventId: string, seconds: number, at: number): boolean {
    const state = this.stateOf(personId);
    if (!state || at <= state.clearedAt) return false;
    const no = this.eventNo(eventId);
    const i = state.events.indexOf(no);
    if (i === -1) {
      state.events.push(no);
      state.seconds.push(seconds);
      state.at.push(at);
    } else if (at > (state.at[i] as number)) {
      state.seconds[i] = seconds;
      state.at[i] = at;
    }
    return true;
  }

  /** They cleared one entry, or all of their history, as of `at`. */
  clear(personId: string, at: number, eventId?: string): void {
    const state = this.stateOf(personId);
    if (!state) return;
    if (eventId !== undefined) {
      const no = this.eventNo(eventId);
      const i = state.events.indexOf(no);
      if (i === -1) {
        state.events.push(no);
        state.seconds.push(0);
        state.at.push(at);
      } else {
        state.seconds[i] = 0;
        state.at[i] = Math.max(at, state.at[i] as number);
      }
      return;
    }
    if (at <= state.clearedAt) return;
    state.clearedAt = at;
    const kept = state.at.flatMap((when, i) => (when > at ? [i] : []));
    state.events = kept.map((i) => state.events[i] as number);
    state.seconds = kept.map((i) => state.seconds[i] as number);
    state.at = kept.map((i) => state.at[i] as number);
  }

  /** A follow or an unfollow at `at` (ms), unless a later subscription event is known. */
  follow(personId: string, channelId: string, following: boolean, at: number): void {
    const state = this.stateOf(personId);
    if (!state) return;
    state.follows ??= new Map();
    const known = state.follows.get(channelId);
    if (known && known.at >= at) return;
    state.follows.set(channelId, { following, at });
  }

  /** A deleted account: nothing of it is kept, and nothing of it comes back. */
  forget(personId: string): void {
    this.deleted.add(personId);
    this.people.delete(personId);
  }

  /** What the ranking reads of a person: their entries watched (cleared ones left out), follows. */
  of(personId: string): Person & { follows: string[] } {
    const state = this.people.get(personId);
    if (!state) return { watched: [], follows: [] };
    const watched: Person["watched"] = [];
    state.events.forEach((no, i) => {
      const seconds = state.seconds[i] as number;
      if (seconds > 0)
        watched.push({ eventId: this.eventId(no), seconds, at: state.at[i] as number });
    });
    const follows = [...(state.follows ?? [])].filter(([, f]) => f.following).map(([id]) => id);
    return { watched, follows };
  }
}
