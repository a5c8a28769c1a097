// Work to do once a function's last request has finished (close pools, producers…). The list is
// kept on the process, not in this module: in a production build the host and the function are
// separate bundles, each with its own copy of this module, and the host must run the hooks the
// function registered.
import { processGlobal } from "../util/process-global.ts";

type Hook = () => Promise<void> | void;

const hooks = processGlobal<Hook[]>("shutdown-hooks", () => []);

export function onShutdown(hook: Hook): void {
  hooks.push(hook);
}

/** Runs the registered shutdown hooks once, in order. */
export async function runShutdownHooks(): Promise<void> {
  for (const hook of hooks.splice(0)) await hook();
}
