// PostgreSQL 15 from Debian, with its own data directory under .data/, listening on loopback.
import { chownSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  externalServers,
  LOCAL_HOST,
  localPorts,
  localPostgresPassword,
  serviceUrls,
} from "@stream-platform/shared";
import pg from "pg";
import { serverAccount, serverDataDir } from "../accounts.ts";
import { run, startDaemon } from "../proc.ts";
import { ensureDebianPackages } from "../provision/apt.ts";
import { progress } from "../report.ts";
import type { Probe, Server } from "./types.ts";

const MAJOR = "15";
const binDir = `/usr/lib/postgresql/${MAJOR}/bin`;

/** Databases the platform expects; FerretDB keeps its data in its own. */
export const PLATFORM_DATABASES = ["streamplatform", "ferretdb"];

// PostgreSQL refuses to run as root: then it runs as the `postgres` user its package created.
const account = () => serverAccount("postgres", "postgres");
const pgData = () => serverDataDir("postgres", account());

/**
 * A postmaster.pid left by a killed server names a pid that may belong to another process by
 * now, which PostgreSQL (not allowed to signal it) takes for a running postmaster.
 */
function removeStaleLock(data: string): void {
  const lock = join(data, "postmaster.pid");
  if (!existsSync(lock)) return;
  const pid = Number(readFileSync(lock, "utf8").split("\n")[0]);
  let comm = "";
  try {
    comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    // no such process
  }
  if (comm !== "postgres") rmSync(lock, { force: true });
}

function adminUrl(database = "postgres"): string {
  const url = new URL(serviceUrls().databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function query<T>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({
    connectionString: adminUrl(database),
    connectionTimeoutMillis: 2000,
  });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export const postgres: Server = {
  name: "postgres",
  title: "PostgreSQL",
  dependsOn: [],
  startupTimeoutSeconds: 60,
  address: () => {
    const url = new URL(serviceUrls().databaseUrl);
    return `postgres://${url.host}${url.pathname}`;
  },
  port: () => localPorts().postgres,
  // SIGTERM is PostgreSQL's "smart" shutdown, which waits for every client to leave.
  stopSignal: "SIGINT",
  portVariable: "POSTGRES_PORT",
  external: () => externalServers().postgres,

  async provision() {
    await ensureDebianPackages("postgres", [`postgresql-${MAJOR}`]);
    const user = account();
    const data = pgData();
    if (existsSync(join(data, "PG_VERSION"))) return;
    // What an interrupted initdb left behind would make the next one refuse to start.
    for (const entry of readdirSync(data))
      rmSync(join(data, entry), { recursive: true, force: true });
    progress("postgres", `initdb ${data} …`);
    const pwfile = join(data, "..", ".pwfile");
    writeFileSync(pwfile, `${localPostgresPassword()}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    try {
      const args = [
        "-D",
        data,
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        `--pwfile=${pwfile}`,
        "-E",
        "UTF8",
        "--no-locale",
      ];
      const [cmd, cmdArgs] = user
        ? ["runuser", ["-u", "postgres", "--", `${binDir}/initdb`, ...args]]
        : [`${binDir}/initdb`, args];
      await run(cmd as string, cmdArgs as string[], {
        server: "postgres",
        fix: `remove ${data} and run the command again`,
      });
    } finally {
      rmSync(pwfile, { force: true });
    }
  },

  async start() {
    const user = account();
    removeStaleLock(pgData());
    startDaemon({
      name: "postgres",
      command: `${binDir}/postgres`,
      args: [
        "-D",
        pgData(),
        "-c",
        `listen_addresses=${LOCAL_HOST}`,
        "-c",
        `port=${localPorts().postgres}`,
        // TCP only: no socket directory to own or clean up.
        "-c",
        "unix_socket_directories=",
        "-c",
        "max_connections=300",
      ],
      uid: user?.uid,
      gid: user?.gid,
    });
  },

  async probe(): Promise<Probe> {
    try {
      const [row] = await query<{ v: string }>(
        "postgres",
        "select current_setting('server_version') as v",
      );
      return { up: true, version: row?.v ?? "unknown" };
    } catch (error) {
      return { up: false, reason: (error as Error).message };
    }
  },

  async afterReady() {
    if (this.external()) return;
    const existing = new Set(
      (await query<{ datname: string }>("postgres", "select datname from pg_database")).map(
        (r) => r.datname,
      ),
    );
    for (const name of PLATFORM_DATABASES.filter((db) => !existing.has(db))) {
      await query("postgres", `create database ${name}`);
      progress("postgres", `created database ${name}`);
    }
  },
};
