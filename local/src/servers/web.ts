// The web app's production build (web/, Vite), which the edge serves at /. Built by `up` when
// its sources changed since the last build (a hash of them is kept beside the output).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../paths.ts";
import { run } from "../proc.ts";
import { progress } from "../report.ts";

const webDir = join(repoRoot, "web");
export const webDist = join(webDir, "dist");
const stamp = join(webDist, ".sources-hash");

const files = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());

function sourcesHash(): string {
  const hash = createHash("sha256");
  for (const path of [
    ...files(join(webDir, "src")),
    join(webDir, "index.html"),
    join(webDir, "vite.config.ts"),
    join(webDir, "package.json"),
  ]) {
    hash.update(path).update(readFileSync(path));
  }
  return hash.digest("hex");
}

export async function buildWeb(): Promise<void> {
  const hash = sourcesHash();
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  progress("web", "building the web app (vite build) …");
  await run(process.execPath, [join(repoRoot, "node_modules", "vite", "bin", "vite.js"), "build"], {
    server: "web",
    cwd: webDir,
    fix: "fix the error above in web/ (npm run build -w web shows it too)",
  });
  writeFileSync(stamp, hash);
  progress("web", `built into ${webDist}`);
}
