// How soon a live stream's encoder is started again after it exited: a one-off crash is restarted
// at once (half a second), one that keeps failing waits longer each time (doubling, capped), and
// one that failed too often within a minute is given up on: a broken input would otherwise
// keep a core busy restarting ffmpeg for as long as the publisher stays.

export interface RestartPolicy {
  /** The wait after the first failure in the window (ms); each further one doubles it. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Failures are counted over this long (ms). */
  windowMs: number;
  /** More failures than this within the window: give up. */
  maxFailures: number;
}

export const RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 500,
  maxDelayMs: 8000,
  windowMs: 60_000,
  maxFailures: 5,
};

export class RestartBackoff {
  private exits: number[] = [];

  constructor(
    private readonly policy: RestartPolicy = RESTART_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /** The failures counted now (within the window). */
  get failures(): number {
    return this.exits.length;
  }

  /** Records an exit; the ms to wait before the next start, or undefined to give up. */
  next(): number | undefined {
    const at = this.now();
    this.exits = [...this.exits.filter((t) => t > at - this.policy.windowMs), at];
    if (this.exits.length > this.policy.maxFailures) return undefined;
    const delay = this.policy.firstDelayMs * 2 ** (this.exits.length - 1);
    return Math.min(delay, this.policy.maxDelayMs);
  }
}
