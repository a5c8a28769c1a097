// CPU time of processes, read from /proc, for the per-hop cost of a benchmark: how much CPU each
// process on the path spends per event is what carries to a cluster (events/s per core).
import { readdirSync, readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/**
 * User + system CPU time of a process so far, in milliseconds (0 if it is gone); with
 * `exitedChildren`, plus that of its children that have exited (and were waited for).
 */
export function cpuMs(pid: number, exitedChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, inside parentheses).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    let ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    if (exitedChildren) ticks += Number(fields[13]) + Number(fields[14]); // cutime, cstime
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The processes whose parent is `pid` (NGINX's workers, say). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

export interface Hop {
  name: string;
  pids: number[];
  /**
   * A server that starts and ends processes as it goes (PostgreSQL's backends): it and all its
   * children, those started meanwhile and those that exited included.
   */
  tree?: number;
}

/** A process, its live children, and its children that have exited. */
function treeMs(root: number): number {
  return childrenOf(root).reduce((sum, pid) => sum + cpuMs(pid), cpuMs(root, true));
}

/** CPU milliseconds each hop spent between `start()` and the `stop()` that returns them. */
export function cpuMeter(hops: Hop[]): { stop(): { name: string; ms: number }[] } {
  const total = (hop: Hop) =>
    hop.pids.reduce((sum, pid) => sum + cpuMs(pid), hop.tree ? treeMs(hop.tree) : 0);
  const before = hops.map(total);
  return {
    stop: () => hops.map((hop, i) => ({ name: hop.name, ms: total(hop) - (before[i] ?? 0) })),
  };
}

/** The whole machine's busy CPU (all cores, ms) and what the hypervisor took from it. */
function machineMs(): { busy: number; stolen: number } {
  // cpu  user nice system idle iowait irq softirq steal …
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  return { busy: ms(user + nice + system + irq + softirq), stolen: ms(steal) };
}

/**
 * What the machine did besides the processes a benchmark meters (the rest of the platform,
 * anything else running) and the time the hypervisor gave to other guests: a run on a shared
 * machine is only as good as these are small.
 */
export function machineMeter(): { stop(meteredMs: number): { name: string; ms: number }[] } {
  const before = machineMs();
  return {
    stop: (meteredMs) => {
      const now = machineMs();
      return [
        { name: "everything else on the machine", ms: now.busy - before.busy - meteredMs },
        { name: "stolen by the hypervisor", ms: now.stolen - before.stolen },
      ];
    },
  };
}
