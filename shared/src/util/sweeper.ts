// The skeleton of an outbox relay: `flush()` right after a write, and a periodic sweep for what a
// crashed process left (so it can be slow; it costs the store a query each time); flushes asked
// for during a run share one more run after it (that run may have read the outbox before their
// write); `stop()` waits for the one in flight.
import { log } from "../log.ts";
export abstract class Sweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private rerun?: Promise<void>;

  constructor(private readonly sweepMs = 1000) {}

  /**
   * Starts the periodic sweep (once; later calls do nothing). Each tick first awaits `gate`
   * (the function's start-up work, say) and skips the sweep while that fails.
   */
  start(gate?: () => Promise<unknown>): void {
    if (this.timer) return;
    const tick = () =>
      gate
        ? gate().then(
            () => this.flush(),
            () => undefined,
          )
        : this.flush();
    this.timer = setInterval(() => void tick(), this.sweepMs);
    this.timer.unref();
  }

  flush(): Promise<void> {
    if (this.running) {
      this.rerun ??= this.running.then(() => {
        this.rerun = undefined;
        return this.flush();
      });
      return this.rerun;
    }
    this.running = this.sweep()
      .catch((error: unknown) => {
        // A store or Kafka away: the next sweep tries again.
        log({
          level: "warn",
          msg: "outbox relay failed",
          error: (error as Error).message,
        });
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  protected abstract sweep(): Promise<void>;

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.rerun;
    await this.running;
  }
}
