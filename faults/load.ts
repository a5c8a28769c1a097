// The steady load the faults are thrown at, as the platform's clients make it: CloudEvents
// posted to the edge's /ce (viewer heartbeats → analytics in MongoDB; event snapshots → the
// search index in Elasticsearch) and subscriptions made over HTTP (PostgreSQL). A client keeps
// what it could not deliver and tries again, the same event with the same id (at least once),
// honouring Retry-After; every item is attributed to the fault window it was made in, so the
// counts can be told per fault.
import { type CloudEventV1, createEvent, serviceUrls, toHttpBatch } from "@stream-platform/shared";
import { ingressToken, viewTokenFor } from "@stream-platform/shared/testing";

/** Heartbeats and event snapshots made per second, and subscriptions asked for per second. */
export const RATES = { heartbeats: 40, snapshots: 5, subscriptions: 2 } as const;
/** An answer slower than this counts as a hang. */
export const HANG_MS = 15_000;

export interface Answer {
  status: number | "timeout" | "refused";
  ms: number;
  retryAfter?: string;
}

/** What clients saw while a window was open: every answer that was not a success. */
export interface ClientLog {
  failures: Answer[];
  slowest: number;
}

export interface Window {
  name: string;
  /** The video event its heartbeats are for (a real one: analytics counts only known events). */
  eventId: string;
  heartbeats: string[];
  snapshots: string[];
  /** Channel ids subscribed to. */
  subscriptions: string[];
  clients: ClientLog;
}

export interface LoadSetup {
  runId: string;
  channelId: string;
  viewerToken: string;
  /** Channels to subscribe to, one after another. */
  channelPool: string[];
  /** A video event per window, by window name. */
  eventIds: Record<string, string>;
}

const edge = () => serviceUrls().edgeUrl;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request with a deadline; a network failure or a hang is an answer too. */
export async function timed(url: string, init: RequestInit): Promise<Answer> {
  const started = Date.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(HANG_MS) });
    await response.arrayBuffer();
    return {
      status: response.status,
      ms: Date.now() - started,
      retryAfter: response.headers.get("retry-after") ?? undefined,
    };
  } catch (error) {
    const name = (error as Error).name;
    return {
      status: name === "TimeoutError" ? "timeout" : "refused",
      ms: Date.now() - started,
    };
  }
}

/** How long a client waits before trying again: Retry-After, capped so the test keeps moving. */
const backoff = (answer: Answer) =>
  Math.min(2000, answer.retryAfter ? Number(answer.retryAfter) * 1000 : 500);

export class Load {
  readonly windows: Window[] = [];
  private current!: Window;
  private pending: CloudEventV1[] = [];
  private windowOf = new Map<string, Window>();
  private subscriptionsAsked = 0;
  private running = false;
  private abandoned = false;
  private loops: Promise<void>[] = [];
  private timers: NodeJS.Timeout[] = [];
  private snapshotCount = 0;
  /** Events made, and events the ingress accepted (in order: the queue is first in, first out). */
  private enqueued = 0;
  private accepted = 0;

  constructor(private readonly setup: LoadSetup) {}

  /** Items made from now on belong to this window. */
  open(name: string): Window {
    const eventId = this.setup.eventIds[name];
    if (!eventId) throw new Error(`no video event for window ${name}`);
    this.current = {
      name,
      eventId,
      heartbeats: [],
      snapshots: [],
      subscriptions: [],
      clients: { failures: [], slowest: 0 },
    };
    this.windows.push(this.current);
    return this.current;
  }

  start(): void {
    this.running = true;
    const every = (ms: number, work: () => void) => this.timers.push(setInterval(work, ms));
    every(1000 / RATES.heartbeats, () => this.heartbeat());
    every(1000 / RATES.snapshots, () => this.snapshot());
    this.loops.push(this.sendEvents());
    for (let i = 0; i < RATES.subscriptions; i++) this.loops.push(this.subscribe());
  }

  /** Stops making new items and resolves once every item made has been accepted. */
  async drain(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Stops at once, dropping what is unsent (after a failed test: nothing is counted then). */
  abandon(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.running = false;
    this.abandoned = true;
    this.pending = [];
  }

  /** Resolves once the ingress has accepted every event made so far. */
  async settled(): Promise<void> {
    const target = this.enqueued;
    while (this.accepted < target) await pause(20);
  }

  /** Many heartbeats at once: a batch big enough for a consumer to be caught in the middle. */
  burst(count: number): void {
    for (let i = 0; i < count; i++) this.heartbeat();
  }

  private heartbeat(): void {
    const window = this.current;
    // Spread over many players, each within a player's pace (analytics/src/pace.ts): the drill
    // counts what faults lose, not what the pace refuses.
    const n = window.heartbeats.length % 2000;
    const viewer = { eventId: window.eventId, viewerId: `viewer-${n}`, sessionId: `session-${n}` };
    const event = createEvent({
      type: "streamplatform.viewer.heartbeat",
      source: "/faults/load",
      subject: window.eventId,
      data: {
        ...viewer,
        viewToken: viewTokenFor(viewer),
        position: window.heartbeats.length,
        bufferingSeconds: 0,
        playedSeconds: 1,
      },
    });
    window.heartbeats.push(event.id);
    this.enqueue(event, window);
  }

  private snapshot(): void {
    const window = this.current;
    this.snapshotCount += 1;
    const eventId = `flt-${this.setup.runId}-${this.snapshotCount}`;
    const event = createEvent({
      type: "streamplatform.event.created",
      source: "/faults/load",
      subject: eventId,
      data: {
        eventId,
        channelId: this.setup.channelId,
        title: `Fault drill ${window.name} ${this.snapshotCount}`,
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        status: "scheduled",
        version: 1,
      },
    });
    window.snapshots.push(eventId);
    this.enqueue(event, window);
  }

  private enqueue(event: CloudEventV1, window: Window): void {
    this.windowOf.set(event.id, window);
    this.pending.push(event);
    this.enqueued += 1;
  }

  /** Posts what is pending as one batch; on failure keeps it and tries again. */
  private async sendEvents(): Promise<void> {
    while (this.running || this.pending.length > 0) {
      const batch = this.pending.slice(0, 1000);
      if (batch.length === 0) {
        await pause(50);
        continue;
      }
      const { headers, body } = toHttpBatch(batch);
      const answer = await timed(`${edge()}/ce`, {
        method: "POST",
        headers: { ...headers, authorization: `Bearer ${ingressToken()}` },
        body,
      });
      this.note(
        answer,
        batch.map((e) => this.windowOf.get(e.id) ?? this.current),
      );
      if (answer.status === 202) {
        this.pending.splice(0, batch.length);
        this.accepted += batch.length;
        await pause(50);
      } else await pause(backoff(answer));
    }
  }

  /** Subscribes the viewer to the pool's channels one after another, each until it holds. */
  private async subscribe(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      const channelId = this.setup.channelPool[this.subscriptionsAsked++];
      if (!channelId) throw new Error("the channel pool is used up: make it larger");
      const window = this.current;
      window.subscriptions.push(channelId);
      while (!this.abandoned) {
        const answer = await timed(`${edge()}/api/subscriptions/channels/${channelId}`, {
          method: "PUT",
          headers: { authorization: `Bearer ${this.setup.viewerToken}` },
        });
        this.note(answer, [window]);
        if (typeof answer.status === "number" && answer.status < 300) break;
        await pause(backoff(answer));
      }
      await pause(Math.max(0, 1000 - (Date.now() - started)));
    }
  }

  private note(answer: Answer, windows: Window[]): void {
    for (const window of new Set(windows)) {
      window.clients.slowest = Math.max(window.clients.slowest, answer.ms);
      const ok = typeof answer.status === "number" && answer.status < 300;
      if (!ok) window.clients.failures.push(answer);
    }
  }
}
