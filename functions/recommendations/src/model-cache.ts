// The API's replica of the store (replica.ts): built from the store at first use (the only time
// a request waits for it), then kept current in the background: every few seconds it takes in
// the change log's new entries (store.ts), one look at a time, and every hour it is rebuilt from
// the collections (cleared or deleted people's views leave the co-watch counts then) while the
// old one keeps answering and taking in changes; the next look catches the new one up and swaps.
// A request never reads a collection nor waits for a look: a person's clearing or deletion
// reaches their own list with the next look (REFRESH_MS, plus the look's own time).
import { log } from "@stream-platform/shared";
import { applyChanges, type Replica, ReplicaBuilder } from "./replica.ts";
import type { ChangeDoc, RecommendationStore } from "./store.ts";
import { CHANGES_KEPT_MS } from "./store.ts";

export const REFRESH_MS = 5_000;
export const REBUILD_MS = 3_600_000;
/**
 * Entries are stamped by the sink's clock when logged, and may land a little after: each look
 * reads again this far back (taking an entry in twice changes nothing).
 */
export const CLOCK_SLACK_MS = 30_000;

/** A build lets requests run at least this often. */
const PAUSE_AFTER_MS = 10;

/** A pause that lets other work run once `ms` passed since the last one, else goes on at once. */
function yieldEvery(ms: number): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < ms) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}

export type Source = Pick<RecommendationStore, "readAll" | "changesSince">;

export interface CacheOptions {
  now?: () => number;
  /** Lets requests run between steps of a build. */
  pause?: () => Promise<void>;
}

export class ModelCache {
  private replica?: Replica;
  private first?: Promise<Replica>;
  /** A rebuilt replica waiting for the next look to catch it up, and when its read began. */
  private rebuilt?: { replica: Replica; startedAt: number };
  private rebuilding = false;
  private builtAt = 0;
  /** When the last look (or the replica's read) began, by this process's clock. */
  private position = 0;
  private lookedAt = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly now: () => number;
  private readonly pause: () => Promise<void>;

  constructor(
    private readonly store: Source,
    options: CacheOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now());
    this.pause = options.pause ?? yieldEvery(PAUSE_AFTER_MS);
  }

  /** The replica in hand; only the first build is waited for (concurrent first calls share it). */
  current(): Promise<Replica> {
    if (this.replica) return Promise.resolve(this.replica);
    this.first ??= this.build()
      .then(({ replica, startedAt }) => {
        this.replica = replica;
        this.builtAt = this.position = this.lookedAt = startedAt;
        this.schedule();
        return replica;
      })
      .finally(() => {
        this.first = undefined;
      });
    return this.first;
  }

  /** Stops the background work (tests; a process's end needs nothing: the timer is unref'd). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async build(): Promise<{ replica: Replica; startedAt: number }> {
    const startedAt = this.now();
    const builder = new ReplicaBuilder();
    await this.store.readAll(builder);
    return { replica: await builder.finish(this.pause), startedAt };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), REFRESH_MS);
    this.timer.unref?.();
  }

  /** One step of the background work: a rebuild started when due, then a look. */
  private async tick(): Promise<void> {
    const now = this.now();
    // Behind by more than the change log keeps: only a rebuild knows what it missed (a rebuild
    // counts as caught up, or failing looks would start one on every tick).
    const behind = now - Math.max(this.lookedAt, this.builtAt);
    const due = now - this.builtAt >= REBUILD_MS || behind >= CHANGES_KEPT_MS / 2;
    if (due && !this.rebuilding) void this.rebuild(now);
    try {
      await this.look();
    } catch (error) {
      log({
        level: "warn",
        msg: "recommendations: the look for changes failed",
        error: String(error),
      });
    }
    this.schedule();
  }

  private async rebuild(now: number): Promise<void> {
    this.rebuilding = true;
    try {
      this.rebuilt = await this.build();
      this.builtAt = now;
    } catch (error) {
      // The replica in hand still answers; tried again a minute on.
      this.builtAt = now - REBUILD_MS + 60_000;
      log({
        level: "warn",
        msg: "recommendations: the model's rebuild failed",
        error: String(error),
      });
    } finally {
      this.rebuilding = false;
    }
  }

  /** Takes in the change log's entries since the last look (and a rebuilt replica's read). */
  private async look(): Promise<void> {
    const rebuilt = this.rebuilt;
    const from = Math.min(this.position, rebuilt?.startedAt ?? Number.POSITIVE_INFINITY);
    const startedAt = this.now();
    const changes: ChangeDoc[] = await this.store.changesSince(new Date(from - CLOCK_SLACK_MS));
    if (rebuilt) {
      this.replica = rebuilt.replica;
      this.rebuilt = undefined;
    }
    applyChanges(this.replica as Replica, changes);
    // Where the next look starts: this one's start by this process's clock, not the newest
    // entry's stamp (one sink with a fast clock would move it past the others' entries).
    this.position = startedAt;
    this.lookedAt = startedAt;
  }
}
