// Scale to zero, locally, as Knative's activator and autoscaler do it: the Service's port is
// held by a TCP proxy; the function process listens on a port of its own. A connection to a
// Service with no process starts one and waits for it to be ready (the request is held, not
// refused); a process that has seen no traffic for its retention period is stopped. TCP, so
// HTTP/1.1 keep-alive and gRPC (h2c) pass alike.
//
// Annotations read (on the revision template), as Knative reads them:
//   autoscaling.knative.dev/min-scale                         "0" lets it scale to zero
//   autoscaling.knative.dev/initial-scale                     "0": not started until used
//   autoscaling.knative.dev/scale-to-zero-pod-retention-period  idle time before it stops
// Without a retention period, LOCAL_SCALE_TO_ZERO_AFTER (a duration, default 5m) applies.
import { connect, createServer, type Server, type Socket } from "node:net";
import { LOCAL_HOST } from "@stream-platform/shared";
import { type FunctionProcess, freePort, type Log } from "./functions.ts";

const MIN_SCALE = "autoscaling.knative.dev/min-scale";
const INITIAL_SCALE = "autoscaling.knative.dev/initial-scale";
const RETENTION = "autoscaling.knative.dev/scale-to-zero-pod-retention-period";
const IDLE_CHECK_MS = 250;

/** Go durations as Knative writes them: "90s", "1m5s", "500ms", "1h". */
export function goDurationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text)
    throw new Error(`"${text}" is not a duration such as 90s, 1m5s or 500ms`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  return parts.reduce((total, [, n, u]) => total + Number(n) * unit[u as keyof typeof unit], 0);
}

export interface ScalePolicy {
  /** Stops after this much idle time; undefined: never (min-scale ≥ 1). */
  idleMs?: number;
  startAtBoot: boolean;
}

export function scalePolicy(annotations: Record<string, string> = {}): ScalePolicy {
  const minScale = Number(annotations[MIN_SCALE] ?? 0);
  const startAtBoot = Number(annotations[INITIAL_SCALE] ?? 1) > 0 || minScale > 0;
  if (minScale > 0) return { startAtBoot };
  const retention = annotations[RETENTION] ?? process.env.LOCAL_SCALE_TO_ZERO_AFTER ?? "5m";
  return { idleMs: goDurationMs(retention), startAtBoot };
}

export class Activator {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private lastActivity = Date.now();
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private running = false;
  private timer?: NodeJS.Timeout;
  /** Processes started (boot or cold start) and stopped for idleness: for tests and status. */
  coldStarts = 0;
  scaledDown = 0;

  constructor(
    private readonly fn: FunctionProcess,
    private readonly policy: ScalePolicy,
    private readonly log: Log,
  ) {}

  get service() {
    return this.fn.service;
  }

  get pid(): number | undefined {
    return this.fn.pid;
  }

  /** Exits nobody asked for (not a scale-down, not a stop). */
  get crashes(): number {
    return this.fn.crashes;
  }

  /**
   * Where the process itself listens while it runs and answers (not the Service's port, which
   * is this activator's: a request there would keep it from scaling to zero).
   */
  get instancePort(): number | undefined {
    return this.running && this.fn.state === "ready" ? this.fn.port : undefined;
  }

  /** Where a running gRPC server serves /metrics (its own HTTP port). */
  get metricsPort(): number | undefined {
    return this.instancePort === undefined ? undefined : this.fn.metricsPort;
  }

  /** "ready", or "idle" when scaled to zero (healthy: the next request starts it). */
  get state(): string {
    if (!this.running && !this.starting) return "idle";
    return this.fn.state;
  }

  async start(): Promise<void> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server?.once("error", reject);
      this.server?.listen(this.fn.service.port, LOCAL_HOST, resolve);
    });
    if (this.policy.startAtBoot) await this.ensureRunning();
    if (this.policy.idleMs !== undefined) {
      this.timer = setInterval(() => void this.scaleDownIfIdle(), IDLE_CHECK_MS);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    // Stop accepting; the process drains its in-flight requests (through the open pipes), then
    // what is left open (idle kept-alive connections, which close() would wait for) is ended.
    const closed = new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    await this.starting?.catch(() => undefined);
    await this.fn.stop();
    this.running = false;
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private ensureRunning(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.starting ??= (async () => {
      await this.stopping; // a scale-down in progress finishes first
      const port = await freePort();
      this.coldStarts += 1;
      await this.fn.start(port);
      this.running = true;
      this.lastActivity = Date.now();
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    this.lastActivity = Date.now();
    client.pause();
    client.once("close", () => this.sockets.delete(client));
    client.on("error", () => client.destroy());
    this.ensureRunning().then(
      () => {
        if (client.destroyed) return;
        const upstream = connect({ port: this.fn.port, host: LOCAL_HOST, noDelay: true });
        // No Nagle on either side: a proxy that holds small writes back meets the peer's
        // delayed ACK, and a gRPC stream stalled ~40 ms at a time (ListSubscribers ran 6x
        // slower through this proxy than straight to the process).
        client.setNoDelay(true);
        const touch = () => {
          this.lastActivity = Date.now();
        };
        client.on("data", touch);
        upstream.on("data", touch);
        upstream.on("error", () => client.destroy());
        client.once("close", () => upstream.destroy());
        upstream.once("close", () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      },
      (error: unknown) => {
        this.log(`${this.fn.service.name}: cold start failed: ${String(error)}`);
        client.destroy();
      },
    );
  }

  private async scaleDownIfIdle(): Promise<void> {
    const idleMs = this.policy.idleMs;
    if (idleMs === undefined || !this.running || this.starting) return;
    if (Date.now() - this.lastActivity < idleMs) return;
    this.running = false;
    this.scaledDown += 1;
    this.log(`${this.fn.service.name}: idle for ${idleMs} ms, scaled to zero`);
    // Kept-alive connections are idle too: closing them makes the next request a new one.
    for (const socket of this.sockets) socket.destroy();
    this.stopping = this.fn.stop().finally(() => {
      this.stopping = undefined;
    });
    await this.stopping;
  }
}
