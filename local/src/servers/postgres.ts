// PostgreSQL 15 from Debian, with its own data directory under .data/, listening on loopback.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  externalServers,
  LOCAL_HOST,
  localPorts,
  localPostgresPassword,
  serviceUrls,
} from "@stream-platform/shared";
import pg from "pg";
import { InfraError } from "../errors.ts";
import { dataDir, repoRoot } from "../paths.ts";
import { run, startDaemon } from "../proc.ts";
import { ensureDebianPackages } from "../provision/apt.ts";
import { progress } from "../report.ts";
import type { Probe, Server } from "./types.ts";

const MAJOR = "15";
const binDir = `/usr/lib/postgresql/${MAJOR}/bin`;

/** Databases the platform expects; FerretDB keeps its data in its own. */
export const PLATFORM_DATABASES = ["streamplatform", "ferretdb"];

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` user of the package. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  const uid = id("-u");
  const gid = id("-g");
  if (!Number.isInteger(uid) || uid <= 0) {
    throw new InfraError(
      "postgres",
      "running as root, but there is no `postgres` user to run PostgreSQL as",
      "apt-get install -y postgresql-15 (it creates the user)",
    );
  }
  return { uid, gid };
}

/**
 * The data directory: .data/postgres, unless the `postgres` user cannot reach it (a clone under
 * /root, say); then a folder under /var/lib named after this clone.
 */
function pgData(user: { uid: number } | undefined): string {
  const preferred = join(dataDir, "postgres");
  if (!user) return preferred;
  mkdirSync(dataDir, { recursive: true });
  const reachable =
    spawnSync("runuser", ["-u", "postgres", "--", "test", "-x", dataDir]).status === 0;
  if (reachable) return preferred;
  const id = createHash("sha1").update(repoRoot).digest("hex").slice(0, 10);
  return `/var/lib/stream-platform/${id}/postgres`;
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
  external: () => externalServers().postgres,

  async provision() {
    await ensureDebianPackages("postgres", [`postgresql-${MAJOR}`]);
    const user = runAs();
    const data = pgData(user);
    if (existsSync(join(data, "PG_VERSION"))) return;
    progress("postgres", `initdb ${data} …`);
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data, { recursive: true, mode: 0o700 });
    const pwfile = join(data, "..", ".pwfile");
    writeFileSync(pwfile, `${localPostgresPassword()}\n`, { mode: 0o600 });
    if (user) {
      chownSync(data, user.uid, user.gid);
      chownSync(pwfile, user.uid, user.gid);
    }
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
    const user = runAs();
    startDaemon({
      name: "postgres",
      command: `${binDir}/postgres`,
      args: [
        "-D",
        pgData(user),
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
      ...user,
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
