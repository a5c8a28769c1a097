#!/usr/bin/env node
// Runs before `npm start` and `npm test` on a fresh clone, when no dependency is installed yet,
// so it is plain JavaScript with no imports beyond Node itself. It installs the npm packages
// (exactly as locked) when they are missing or older than the lockfile.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lock = join(root, "package-lock.json");
const installed = join(root, "node_modules", ".package-lock.json");

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`stream-platform needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}

const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.log("[bootstrap] installing npm packages (npm ci) …");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error(
      "[bootstrap] npm ci failed: see the output above (is the npm registry reachable?)",
    );
    process.exit(result.status ?? 1);
  }
}
