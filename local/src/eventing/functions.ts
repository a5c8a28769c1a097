// Runs a Knative Service as a local process (what Knative Serving does with its container),
// restarting it if it dies, and stopping it gracefully. It listens on a port of its own; the
// Service's port belongs to its activator (activator.ts), which starts and stops it.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join, resolve } from "node:path";
import { compileCacheDir, dataDir, repoRoot } from "../paths.ts";
import { sleep } from "../proc.ts";
import type { LocalService } from "./topology.ts";

const HOST_ENTRY = join(repoRoot, "shared", "src", "hosting", "main.ts");

/**
 * How a function process starts: its TypeScript through tsx, or, with FUNCTIONS_DIST set (a
 * directory `npm run build` wrote), the production bundles as the container image runs them.
 * Either way with Node's module compile cache (a start after the first skips most compiling:
 * ~15 % of a start through tsx): the build's, as in the image, or one of .data/ for tsx's output.
 */
function hostCommand(): { args: string[]; env: Record<string, string> } {
  const dist = process.env.FUNCTIONS_DIST;
  const cache = (dir: string) => process.env.NODE_COMPILE_CACHE ?? dir;
  if (!dist)
    return {
      args: ["--import", "tsx", HOST_ENTRY],
      env: { NODE_COMPILE_CACHE: cache(join(dataDir, "compile-cache")) },
    };
  const root = resolve(repoRoot, dist);
  return {
    args: [join(root, "host.mjs")],
    env: { FUNCTIONS_DIST: root, NODE_COMPILE_CACHE: cache(compileCacheDir(root)) },
  };
}

export type Log = (message: string) => void;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A port nothing listens on now (the OS's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Functions must not outlive the runtime, however it ends.
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

export class FunctionProcess {
  private child?: ChildProcess;
  private stopping = false;
  private restarts = 0;
  /** Exits nobody asked for (a crash, a kill), since the runtime started. */
  crashes = 0;
  state: "starting" | "ready" | "restarting" | "stopped" = "stopped";
  /** Where the process listens (chosen at each start). */
  port = 0;
  /** A gRPC server's plain HTTP port for /metrics (its gRPC port speaks HTTP/2 only). */
  metricsPort?: number;

  constructor(
    readonly service: LocalService,
    private readonly logDir: string,
    private readonly log: Log,
    /** SERVICE_<NAME>_ADDRESS of every Service, as cluster DNS would give. */
    private readonly peers: Record<string, string> = {},
  ) {}

  /** The process, while there is one. */
  get pid(): number | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  private get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port: number): Promise<void> {
    this.port = port;
    if (this.service.env.GRPC_SOURCE) this.metricsPort = await freePort();
    this.stopping = false;
    this.restarts = 0;
    this.spawn();
    await this.waitReady();
  }

  private spawn(): void {
    mkdirSync(this.logDir, { recursive: true });
    const out = openSync(join(this.logDir, `fn-${this.service.name}.log`), "a");
    this.state = "starting";
    // FUNCTION_NODE_FLAGS: extra Node flags for every function (profiling: "--cpu-prof
    // --cpu-prof-dir=/tmp/prof", which NODE_OPTIONS does not allow).
    const flags = (process.env.FUNCTION_NODE_FLAGS ?? "").split(" ").filter(Boolean);
    const host = hostCommand();
    const child = spawn(process.execPath, [...flags, ...host.args], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...this.peers,
        ...this.service.env,
        // This runtime's dispatchers and PingSources send the internal token (kafka-source.ts
        // post), so its sinks check it, whatever a cluster's manifest leaves to the network.
        SINK_CREDENTIAL: "internal-token",
        ...host.env,
        PORT: String(this.port),
        ...(this.metricsPort && { METRICS_PORT: String(this.metricsPort) }),
        K_SERVICE: this.service.name,
      },
      stdio: ["ignore", out, out],
      // Its own process group: a signal to the runtime's group must not reach the functions
      // before the sources feeding them have stopped.
      detached: true,
    });
    children.add(child);
    child.on("exit", () => children.delete(child));
    this.child = child;
    child.on("exit", (code, signal) => {
      if (this.stopping || child !== this.child) return;
      // Like a crashed container: restart with a growing back-off.
      this.state = "restarting";
      this.crashes += 1;
      const delay = Math.min(30_000, 500 * 2 ** this.restarts++);
      this.log(
        `function ${this.service.name} exited (${signal ?? code}); restarting in ${delay} ms`,
      );
      setTimeout(() => {
        if (this.stopping) return;
        this.spawn();
        this.waitReady().catch((error: unknown) => this.log(String(error)));
      }, delay).unref();
    });
  }

  /** HTTP functions answer /healthz; a gRPC server (GRPC_SOURCE) is ready when it accepts. */
  private async answers(): Promise<boolean> {
    if (this.service.env.GRPC_SOURCE) return accepts(this.port);
    try {
      return (await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
    } catch {
      return false;
    }
  }

  private async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.stopping) {
      if (await this.answers()) {
        this.state = "ready";
        this.restarts = 0;
        return;
      }
      // Often: a held request waits on this (activator), and a refused connect is cheap.
      await sleep(10);
    }
    if (!this.stopping) {
      throw new Error(
        `function ${this.service.name} did not become ready on ${this.url} (see .data/logs/fn-${this.service.name}.log)`,
      );
    }
  }

  /** SIGTERM: the function finishes in-flight requests; SIGKILL after the grace period. */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    this.state = "stopped";
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
