// Servers that refuse to run as root (PostgreSQL, Elasticsearch) run as a system user of their
// own when local/ runs as root; their data directories must be reachable by that user.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { InfraError } from "./errors.ts";
import { dataDir, repoRoot } from "./paths.ts";

export interface Account {
  name: string;
  uid: number;
  gid: number;
}

export const isRoot = () => process.getuid?.() === 0;

function lookup(name: string): Account | undefined {
  const id = (flag: string) => spawnSync("id", [flag, name], { encoding: "utf8" });
  const uid = id("-u");
  const gid = id("-g");
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The account to run a server as: none (ourselves) unless we are root. Creates it if needed. */
export function serverAccount(server: string, name: string): Account | undefined {
  if (!isRoot()) return undefined;
  const existing = lookup(name);
  if (existing) return existing;
  const created = spawnSync(
    "useradd",
    ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
    {
      encoding: "utf8",
    },
  );
  const account = lookup(name);
  if (created.status !== 0 || !account) {
    throw new InfraError(
      server,
      `cannot create the system user "${name}" to run it as: ${created.stderr.trim()}`,
      `create it yourself: useradd --system ${name}`,
    );
  }
  return account;
}

/**
 * The server's data directory: `.data/<name>`, unless its account cannot reach it (a clone under
 * /root, say); then a folder under /var/lib named after this clone. Created and owned by the
 * account.
 */
export function serverDataDir(name: string, account: Account | undefined): string {
  mkdirSync(dataDir, { recursive: true });
  let dir = join(dataDir, name);
  if (account) {
    const reachable =
      spawnSync("runuser", ["-u", account.name, "--", "test", "-x", dataDir]).status === 0;
    if (!reachable) {
      const clone = createHash("sha1").update(repoRoot).digest("hex").slice(0, 10);
      dir = `/var/lib/stream-platform/${clone}/${name}`;
    }
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (account) chownSync(dir, account.uid, account.gid);
  return dir;
}

/** chown -R, for folders a server writes into. */
export function giveTo(account: Account | undefined, path: string): void {
  if (!account) return;
  spawnSync("chown", ["-R", `${account.uid}:${account.gid}`, path]);
}
