// What the fault suite breaks, and how it brings a server back: SIGKILL (no goodbye, no flush),
// then the same `up` an operator would run. Platform processes are never restarted by hand:
// functions come back through local/'s supervisor, the live ffmpeg through stream-server.
import { LOCAL_HOST, localPorts } from "@stream-platform/shared";
import { until } from "@stream-platform/shared/testing";
import type { RuntimeStatus } from "../local/src/eventing/runtime.ts";
import { up } from "../local/src/infra.ts";
import { daemonPid, pidExists, signalGroup } from "../local/src/proc.ts";

/** SIGKILLs a server local/ runs (its whole process group) and waits until it is gone. */
export async function killServer(name: string): Promise<void> {
  const pid = daemonPid(name);
  if (pid === undefined) throw new Error(`${name} is not running`);
  signalGroup(pid, "SIGKILL");
  // Gone, not only dead: a restarted PostgreSQL refuses to start beside its unreaped postmaster.
  await until(`${name} (pid ${pid}) to be gone`, () => (pidExists(pid) ? undefined : true), 30_000);
}

/** Starts a killed server again, as an operator (or a container runtime) would. */
export async function restartServer(name: string): Promise<void> {
  await up([name]);
}

/** What local/'s eventing runtime says of its functions and sources. */
export async function platformStatus(): Promise<RuntimeStatus> {
  const response = await fetch(`http://${LOCAL_HOST}:${localPorts().platform}/`);
  return (await response.json()) as RuntimeStatus;
}

const platformServices = async () => (await platformStatus()).services;

/** The pid of a function's process (it is started if it was scaled to zero). */
export async function functionPid(name: string): Promise<number | undefined> {
  return (await platformServices()).find((s) => s.name === name)?.pid;
}

/** SIGKILLs a function's process: the supervisor must notice and start it again. */
export async function killFunction(name: string): Promise<number> {
  const pid = await functionPid(name);
  if (pid === undefined) throw new Error(`function ${name} has no process`);
  process.kill(pid, "SIGKILL");
  return pid;
}

/** Waits until the supervisor has a new, ready process for the function. */
export function functionBack(name: string, oldPid: number): Promise<number> {
  return until(
    `function ${name} to be running again`,
    async () => {
      const service = (await platformServices()).find((s) => s.name === name);
      return service?.pid !== undefined && service.pid !== oldPid && service.state === "ready"
        ? service.pid
        : undefined;
    },
    60_000,
    100,
  );
}
