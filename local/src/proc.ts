// Child processes: one-shot commands, and long-running servers ("daemons") that outlive the
// command that started them, tracked by pid files and logging to their own file.
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { InfraError } from "./errors.ts";
import { logDir, logFile, pidFile, runDir } from "./paths.ts";

export interface RunOptions {
  server: string;
  fix: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Appends the command's output here instead of keeping it in memory only. */
  log?: string;
}

/** Runs a command to completion; on failure throws an InfraError with the end of its output. */
export function run(command: string, args: string[], options: RunOptions): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      reject(
        new InfraError(options.server, `cannot run ${command}: ${String(error)}`, options.fix),
      );
      return;
    }
    const chunks: Buffer[] = [];
    const logFd = options.log ? openSync(options.log, "a") : undefined;
    const collect = (chunk: Buffer) => {
      chunks.push(chunk);
      if (logFd !== undefined) writeFileSync(logFd, chunk);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.on("error", (error) => {
      if (logFd !== undefined) closeSync(logFd);
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      reject(
        new InfraError(
          options.server,
          missing ? `${command} is not installed` : `cannot run ${command}: ${error.message}`,
          options.fix,
        ),
      );
    });
    child.on("close", (code, signal) => {
      if (logFd !== undefined) closeSync(logFd);
      const output = Buffer.concat(chunks).toString("utf8");
      if (code === 0) {
        resolvePromise(output);
        return;
      }
      reject(
        new InfraError(
          options.server,
          `${[command, ...args].join(" ")} failed (${signal ?? `exit ${code}`})`,
          options.fix,
          lastLines(output, 25),
        ),
      );
    });
  });
}

export function commandExists(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

export function tailLog(name: string, count = 25): string {
  const file = logFile(name);
  return existsSync(file) ? lastLines(readFileSync(file, "utf8"), count) : "(no log yet)";
}

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
}

/** Starts a server detached from this process, its output appended to .data/logs/NAME.log. */
export function startDaemon(spec: DaemonSpec): number {
  mkdirSync(logDir, { recursive: true });
  mkdirSync(runDir, { recursive: true });
  const log = openSync(logFile(spec.name), "a");
  writeFileSync(log, `\n=== ${new Date().toISOString()} starting ${spec.command} ===\n`);
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    // Never inherit our stdout: a daemon holding it open would keep `npm test` pipes from closing.
    stdio: ["ignore", log, log],
    uid: spec.uid,
    gid: spec.gid,
  });
  closeSync(log);
  if (child.pid === undefined) {
    throw new InfraError(spec.name, `could not start ${spec.command}`, "see the log above");
  }
  child.unref();
  writeFileSync(pidFile(spec.name), `${child.pid}\n`);
  return child.pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it is not running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return true;
  }
}

/** The pid of a daemon that local/ started and that is still running. */
export function daemonPid(name: string): number | undefined {
  const file = pidFile(name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** `signal` (SIGTERM), then SIGKILL if the server has not exited after `graceMs`. */
export async function stopDaemon(
  name: string,
  graceMs = 20_000,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<boolean> {
  const pid = daemonPid(name);
  rmSync(pidFile(name), { force: true });
  if (pid === undefined) return false;
  signalGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    signalGroup(pid, "SIGKILL");
    while (isAlive(pid)) await sleep(50);
  }
  return true;
}

/** True while the pid exists at all, a zombie included (PostgreSQL's lock-file check sees it). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  // Daemons lead their own process group (detached), so children such as nginx workers go too.
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const probe = createServer();
    probe.once("error", () => resolvePromise(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolvePromise(true)));
  });
}

/** Names the process listening on a port, when `ss` can tell. */
export function whoListens(port: number): string {
  const result = spawnSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(result.stdout ?? "");
  return match ? `${match[1]} (pid ${match[2]})` : "another process";
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}
