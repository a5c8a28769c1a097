// Function bundles are compiled with V8's code cache (no module.enableCompileCache in Node 20):
// the cache written at build time is used; a stale or foreign one is refused by V8 and costs
// only time; without one the bundle still runs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  codeCacheOf,
  requireBundle,
  writeCodeCache,
  writeWarmCodeCache,
} from "../src/hosting/code-cache.ts";

const dir = mkdtempSync(join(tmpdir(), "code-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundle(name: string, body: string): string {
  const file = join(dir, `${name}.cjs`);
  writeFileSync(file, body);
  return file;
}

const source = `
const { basename } = require("node:path");
function square(n) { return n * n; }
module.exports = { answer: square(6) + 6, file: basename(__filename), url: typeof exports };
`;

describe("code cache", () => {
  it.each([
    ["compiled", writeCodeCache],
    ["run once (warm)", writeWarmCodeCache],
  ] as const)("runs a bundle with a cache %s, in a process of its own", (name, write) => {
    const file = bundle(`cached-${name.length}`, source);
    write(file);
    // A new process: this one compiled the text already, and V8 would answer from memory.
    const loader = join(import.meta.dirname, "..", "src", "hosting", "code-cache.ts");
    const child = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `import { requireBundle } from ${JSON.stringify(loader)};
         console.log(JSON.stringify(requireBundle(${JSON.stringify(file)})));`,
      ],
      { encoding: "utf8" },
    );
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({
      cache: "used",
      exports: { answer: 42, file: `cached-${name.length}.cjs`, url: "object" },
    });
  });

  it("runs it without a cache, and refuses a cache made for other code", () => {
    const file = bundle("uncached", source);
    expect(requireBundle(file)).toMatchObject({ cache: "missing", exports: { answer: 42 } });
    // Text this process never compiled (V8 would answer from its in-memory cache instead).
    const fresh = bundle("foreign", `${source}// another build\n`);
    const other = bundle("other", "module.exports = { answer: 1 };");
    writeCodeCache(other);
    writeFileSync(codeCacheOf(fresh), readFileSync(codeCacheOf(other)));
    const refused = requireBundle(fresh);
    expect(refused.cache).toBe("rejected");
    expect(refused.exports).toMatchObject({ answer: 42, file: "foreign.cjs" });
  });
});
