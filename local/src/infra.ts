// Brings the servers up, checks them and takes them down. Servers given by URL in the
// environment are only checked, never provisioned or stopped.
import { InfraError } from "./errors.ts";
import { daemonPid, portIsFree, sleep, stopDaemon, tailLog, whoListens } from "./proc.ts";
import { progress } from "./report.ts";
import { servers } from "./servers/index.ts";
import { tools } from "./servers/tools.ts";
import type { Probe, Server } from "./servers/types.ts";

export function findServers(names: string[]): Server[] {
  if (names.length === 0) return servers;
  const unknown = names.filter((name) => !servers.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new InfraError(
      unknown.join(", "),
      "no such server",
      `use one of: ${servers.map((s) => s.name).join(", ")}`,
    );
  }
  // Bring dependencies along: FerretDB is nothing without PostgreSQL.
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of servers.find((s) => s.name === name)?.dependsOn ?? []) add(dep);
  };
  names.forEach(add);
  return servers.filter((s) => wanted.has(s.name));
}

async function waitUntilUp(server: Server, pid: number | undefined): Promise<string> {
  const deadline = Date.now() + server.startupTimeoutSeconds * 1000;
  let last: Probe = { up: false, reason: "not probed yet" };
  let nextNote = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (pid !== undefined && daemonPid(server.name) === undefined) {
      throw new InfraError(
        server.name,
        "the process exited during startup",
        `read its log: npm run infra -- logs ${server.name}`,
        tailLog(server.name),
      );
    }
    last = await server.probe();
    if (last.up) return last.version;
    if (Date.now() > nextNote) {
      progress(server.name, "waiting for it to answer …");
      nextNote = Date.now() + 10_000;
    }
    await sleep(250);
  }
  throw new InfraError(
    server.name,
    `did not answer within ${server.startupTimeoutSeconds}s (${last.up ? "" : last.reason})`,
    `read its log: npm run infra -- logs ${server.name}`,
    tailLog(server.name),
  );
}

async function bringUp(server: Server, startedNow: Server[]): Promise<void> {
  if (server.external()) {
    const probe = await server.probe();
    if (!probe.up) {
      throw new InfraError(
        server.name,
        `the configured server ${server.address()} does not answer: ${probe.reason}`,
        "check the URL in the environment, or unset it to run one locally",
      );
    }
    progress(server.name, `using ${server.address()} (${probe.version}), given by the environment`);
    return;
  }
  if (daemonPid(server.name) !== undefined && (await server.stale?.())) {
    progress(server.name, "its code or configuration changed since it started: restarting");
    await stopDaemon(server.name, 20_000, server.stopSignal);
  }
  if (daemonPid(server.name) !== undefined) {
    const version = await waitUntilUp(server, daemonPid(server.name));
    progress(server.name, `already up: ${server.address()} (${version})`);
    return;
  }
  if (!(await portIsFree(server.port()))) {
    throw new InfraError(
      server.name,
      `port ${server.port()} is already in use by ${whoListens(server.port())}`,
      `stop that process, or run on another port: ${server.portVariable}=<port> npm run infra -- up`,
    );
  }
  progress(server.name, "starting …");
  startedNow.push(server);
  await server.start();
  const version = await waitUntilUp(server, daemonPid(server.name));
  await server.afterReady?.();
  progress(server.name, `up: ${server.address()} (${version})`);
}

/**
 * Provisions and starts the servers (all, or the named ones and what they need). On any failure
 * the servers started by this call are stopped again, so nothing is left half-started.
 */
export async function up(names: string[] = []): Promise<void> {
  const list = findServers(names);
  const startedNow: Server[] = [];
  const stopStarted = async () => {
    for (const server of startedNow.reverse()) {
      progress(server.name, "stopping (start-up did not complete)");
      await stopDaemon(server.name, 20_000, server.stopSignal);
    }
  };
  // Ctrl-C in the middle of start-up leaves nothing half-started either.
  const onSignal = () => {
    void stopStarted().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    // One at a time: apt takes a lock, and the output stays readable.
    for (const server of list) if (!server.external()) await server.provision();
    if (names.length === 0) for (const tool of tools) await tool.provision();
    // Each server starts as soon as the servers it depends on are up.
    const ready = new Map<string, Promise<void>>();
    for (const server of list) {
      const deps = server.dependsOn.flatMap((name) => ready.get(name) ?? []);
      ready.set(
        server.name,
        Promise.all(deps).then(() => bringUp(server, startedNow)),
      );
    }
    const results = await Promise.allSettled(ready.values());
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  } catch (error) {
    await stopStarted();
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

export async function down(names: string[] = []): Promise<void> {
  // Only the named ones: stopping PostgreSQL does not take Kafka down with it.
  const named = findServers(names).filter((s) => names.length === 0 || names.includes(s.name));
  const list = named.reverse();
  for (const server of list) {
    if (server.external()) continue;
    if (await stopDaemon(server.name, 20_000, server.stopSignal)) progress(server.name, "stopped");
  }
}

export interface StatusRow {
  name: string;
  title: string;
  state: "up" | "down" | "external";
  version: string;
  address: string;
}

export async function status(): Promise<{ servers: StatusRow[]; tools: StatusRow[] }> {
  const rows = await Promise.all(
    servers.map(async (server): Promise<StatusRow> => {
      const probe = await server.probe();
      return {
        name: server.name,
        title: server.title,
        state: probe.up ? (server.external() ? "external" : "up") : "down",
        version: probe.up ? probe.version : `- (${probe.reason.split("\n")[0]})`,
        address: server.address(),
      };
    }),
  );
  const toolRows = await Promise.all(
    tools.map(async (tool): Promise<StatusRow> => {
      const version = await tool.version();
      return {
        name: tool.name,
        title: tool.title,
        state: version ? "up" : "down",
        version: version ?? "- (not installed)",
        address: "",
      };
    }),
  );
  return { servers: rows, tools: toolRows };
}
