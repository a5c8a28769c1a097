// Every log record of the platform's processes goes through shared/src/log.ts (one JSON line:
// time, level, msg, fields), not a JSON.stringify handed to console: one shape for whatever
// reads the logs, and one place to add to it (a trace id, say).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../src/paths.ts";

/** The production code: what runs in the functions, stream-server and local/'s servers. */
const ROOTS = ["shared/src", "stream-server/src", "local/src", "functions"];
const HAND_BUILT = /console\.(log|info|warn|error)\(\s*JSON\.stringify\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ["node_modules", "test", "dist"].includes(entry.name) ? [] : sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("log records", () => {
  it("are written by shared/src/log.ts, never composed by hand for the console", () => {
    const files = ROOTS.flatMap((root) => sources(join(repoRoot, root)));
    expect(files.length).toBeGreaterThan(100);
    const offenders = files
      .filter((file) => HAND_BUILT.test(readFileSync(file, "utf8")))
      .map((file) => relative(repoRoot, file));
    expect(offenders).toEqual([]);
    // The check can fail: it sees the shape however the call is laid out.
    expect(HAND_BUILT.test('console.error(\n  JSON.stringify({ level: "warn" }),\n)')).toBe(true);
  });
});
