// Debian packages (PostgreSQL, NGINX, ffmpeg, Chromium, Java, Maven), installed when missing.
import { spawnSync } from "node:child_process";
import { InfraError } from "../errors.ts";
import { run } from "../proc.ts";
import { progress, withHeartbeat } from "../report.ts";

let listsUpdated = false;

export function isInstalled(pkg: string): boolean {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format
  const result = spawnSync("dpkg-query", ["-W", "-f=${db:Status-Status}", pkg], {
    encoding: "utf8",
  });
  return result.status === 0 && result.stdout.trim() === "installed";
}

export async function ensureDebianPackages(server: string, packages: string[]): Promise<void> {
  const missing = packages.filter((pkg) => !isInstalled(pkg));
  if (missing.length === 0) return;
  const fix = `install them yourself: apt-get install -y ${missing.join(" ")}`;
  if (process.getuid?.() !== 0) {
    throw new InfraError(
      server,
      `Debian packages missing: ${missing.join(", ")}`,
      `as root, ${fix}`,
    );
  }
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  if (!listsUpdated) {
    progress(server, "apt-get update …");
    await withHeartbeat(
      server,
      "updating package lists",
      run("apt-get", ["update", "-qq"], { server, fix, env }),
    );
    listsUpdated = true;
  }
  progress(server, `installing Debian packages: ${missing.join(" ")} …`);
  await withHeartbeat(
    server,
    `installing ${missing.join(" ")}`,
    run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
      server,
      fix,
      env,
    }),
  );
  progress(server, `installed ${missing.join(" ")}`);
}
