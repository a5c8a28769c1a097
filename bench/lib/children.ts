// Processes a benchmark starts are its own: killed when it exits, however it exits (a crash
// too), so a failed run never leaves one holding a port for the next.
import type { ChildProcess } from "node:child_process";

const owned = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of owned) child.kill("SIGKILL");
});

export function ownChild<T extends ChildProcess>(child: T): T {
  owned.add(child);
  child.once("exit", () => owned.delete(child));
  return child;
}
