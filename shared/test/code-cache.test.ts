// Function bundles are compiled with V8's code cache made after their top level ran (warmer than
// Node's module compile cache, which holds what compiling alone made): the cache written at build
// time is used; a stale or foreign one is refused by V8 and costs only time; without one the
// bundle still runs. Node's compile cache (NODE_COMPILE_CACHE) serves the packages it requires.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * A new process that runs the bundle as the host does (this one compiled the text already, and
 * V8 would answer from memory); it prints what requireBundle answered.
 */
function startBundle(file: string, env: Record<string, string> = {}) {
  const loader = join(import.meta.dirname, "..", "src", "hosting", "code-cache.ts");
  return spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { requireBundle } from ${JSON.stringify(loader)};
       console.log(JSON.stringify(requireBundle(${JSON.stringify(file)})));`,
    ],
    { encoding: "utf8", env: { ...process.env, ...env } },
  );
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
    const child = startBundle(file);
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

  it("leaves the packages a bundle requires to Node's compile cache, which a second start reuses", () => {
    // A package kept outside the bundle, as the framework and grpc-js are.
    const pkg = join(dir, "node_modules", "outside");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "index.js"), "module.exports = (n) => n * 7;");
    const file = bundle("requires", 'module.exports = { answer: require("outside")(6) };');
    writeWarmCodeCache(file);
    const cacheDir = join(dir, ".compile-cache");
    const env = { NODE_COMPILE_CACHE: cacheDir, NODE_DEBUG_NATIVE: "COMPILE_CACHE" };
    // What Node's cache did with a file, as its debug output says.
    const said = (stderr: string, path: string) =>
      stderr.split("\n").filter((line) => line.includes(path));

    const first = startBundle(file, env);
    expect(JSON.parse(first.stdout)).toEqual({ cache: "used", exports: { answer: 42 } });
    expect(said(first.stderr, join(pkg, "index.js")).join("\n")).toMatch(/writing cache for/);
    expect(readdirSync(cacheDir, { recursive: true }).length).toBeGreaterThan(1);

    const second = startBundle(file, env);
    expect(JSON.parse(second.stdout)).toEqual({ cache: "used", exports: { answer: 42 } });
    expect(said(second.stderr, join(pkg, "index.js")).join("\n")).toMatch(
      /code cache for CommonJS .* was accepted/,
    );
    // The bundle is compiled by the host with its own cache, never by Node's loader.
    expect(said(second.stderr, file)).toEqual([]);
  });
});
