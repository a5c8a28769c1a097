// A request breaker as Knative's queue-proxy has one for a revision's `containerConcurrency`:
// at most `maxConcurrency` requests in the handler, up to `queueDepth` more waiting in arrival
// order, and anything beyond refused at once (the caller answers 503 with Retry-After). Without
// it an overloaded process takes every request, and every caller waits longer and longer; with
// it the ones taken are answered in bounded time and the rest are told to come back.

export type Release = () => void;

/** A request's claim on a place: `admitted` once it has one; `leave()` when it is done or gone. */
export interface Ticket {
  admitted: Promise<void>;
  /** Frees the place, or the spot in line of a caller that gave up waiting. Idempotent. */
  leave: Release;
}

export class Breaker {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly maxConcurrency: number,
    /** Knative's queue-proxy holds 10 × containerConcurrency (time for the autoscaler to act). */
    readonly queueDepth = 10 * maxConcurrency,
  ) {
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1)
      throw new Error(`a breaker needs a concurrency of at least 1, not ${maxConcurrency}`);
  }

  /** Requests in the handler now. */
  get inFlight(): number {
    return this.active;
  }

  /** Requests waiting for a place. */
  get queued(): number {
    return this.waiting.length;
  }

  /** A place for one request, now or later in arrival order; undefined when the line is full. */
  enter(): Ticket | undefined {
    if (this.active < this.maxConcurrency) {
      this.active += 1;
      return { admitted: Promise.resolve(), leave: this.once(() => this.free()) };
    }
    if (this.waiting.length >= this.queueDepth) return undefined;
    let admit = () => {};
    const admitted = new Promise<void>((resolve) => {
      admit = resolve;
    });
    let placed = false;
    const turn = () => {
      placed = true;
      admit();
    };
    this.waiting.push(turn);
    const leave = this.once(() => {
      if (placed) this.free();
      else this.waiting.splice(this.waiting.indexOf(turn), 1);
    });
    return { admitted, leave };
  }

  /** A place is done with: it passes straight to the next in line, or becomes free. */
  private free(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }

  private once(action: () => void): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      action();
    };
  }
}
