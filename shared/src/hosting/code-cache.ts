// A function's production bundle, loaded with V8's code cache. The function bundles are CommonJS
// and compiled here with the cache `npm run build` wrote beside each (`<bundle>.v8cache`, made
// after running the bundle's top level once): most of the parsing and compiling that a bundle
// adds to a cold start is skipped (docs/performance.md). A cache V8 refuses (another Node version)
// only costs that time back; it is then written again, where the directory is writable, once the
// function has run a moment.
// Why not Node 24's module compile cache (NODE_COMPILE_CACHE), which the image and the local
// runtime do use for everything else a function process loads (host.mjs, the framework, express,
// grpc-js): it stores the code V8 has right after compiling a module, before it runs, so the
// functions that the bundle's start compiles are not in it (nor would it be for an ESM bundle).
// Loading the events bundle, with what it requires (2026-11-30, Node 24.22, median of 11 fresh
// processes; the search bundle within 10 ms of each): 116 ms with this cache alone, 123 ms with
// Node's alone, 102 ms with both (this one for the bundle, Node's for the rest), 169 ms with
// neither. So both.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";
import { log } from "../log.ts";

export const codeCacheOf = (bundle: string) => `${bundle}.v8cache`;

/** CommonJS's wrapper: the cache is made and used for exactly this text. */
const wrap = (source: string) =>
  `(function (exports, require, module, __filename, __dirname) {${source}\n})`;

const compile = (bundle: string, cachedData?: Buffer) =>
  new Script(wrap(readFileSync(bundle, "utf8")), { filename: bundle, cachedData });

/** Writes the bundle's code cache, compiled but not run. */
export function writeCodeCache(bundle: string): void {
  writeFileSync(codeCacheOf(bundle), compile(bundle).createCachedData());
}

/**
 * Runs the bundle's top level, then writes its code cache: it then also holds the functions
 * that starting compiled (~25 ms more of a start saved than a compile-only cache). For the
 * build, in a process of its own (`node dist/host.mjs --write-code-cache BUNDLE`, with the
 * stores pointed nowhere), which exits right after.
 */
export function writeWarmCodeCache(bundle: string): void {
  const script = compile(bundle);
  runModule(script, bundle);
  writeFileSync(codeCacheOf(bundle), script.createCachedData());
}

function runModule(script: Script, bundle: string): unknown {
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return module.exports;
}

export type CacheUse = "used" | "rejected" | "missing";

function readCache(bundle: string): Buffer | undefined {
  try {
    return readFileSync(codeCacheOf(bundle));
  } catch {
    return undefined;
  }
}

/** Runs a CommonJS bundle as `require` would, with its code cache; its exports. */
export function requireBundle(bundle: string): { exports: unknown; cache: CacheUse } {
  const cachedData = readCache(bundle);
  const script = compile(bundle, cachedData);
  const cache: CacheUse =
    cachedData === undefined ? "missing" : script.cachedDataRejected ? "rejected" : "used";
  const exports = runModule(script, bundle);
  if (cache !== "used") {
    log({ level: "info", msg: `code cache ${cache}`, bundle });
    setTimeout(() => {
      try {
        writeFileSync(codeCacheOf(bundle), script.createCachedData());
      } catch {
        // A read-only image: the next start compiles again, as this one did.
      }
    }, 2000).unref();
  }
  return { exports, cache };
}

/** A function's module: a built bundle with its code cache, or TypeScript through tsx. */
export async function loadFunctionModule(source: string): Promise<unknown> {
  if (source.endsWith(".cjs")) return requireBundle(source).exports;
  const { pathToFileURL } = await import("node:url");
  return import(pathToFileURL(source).href);
}
