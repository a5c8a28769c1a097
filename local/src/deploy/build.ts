// The production build of the functions: one ESM bundle for the host and one CommonJS bundle
// (with its V8 code cache) per function source named in knative/ (FUNCTION_SOURCE or
// GRPC_SOURCE), written under dist/ at the source's path (functions/events/src/index.ts →
// dist/functions/events/src/index.cjs), the protos, and Node's module compile cache of the host
// and the packages kept outside the bundles (dist/.compile-cache). Plain node runs
// them: no TypeScript compiler at run time and a module graph resolved once, at build time,
// which is most of a cold start (docs/performance.md). The container image runs these;
// `FUNCTIONS_DIST=dist npm start` runs the local platform on them.
//   npm run build [-- --out DIR]
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { bundlePath, writeCodeCache } from "@stream-platform/shared/hosting";
import { build } from "esbuild";
import { envOf, loadManifests } from "../eventing/manifests.ts";
import { compileCacheDir, repoRoot } from "../paths.ts";

/** The sources the manifests of these directories run (paths relative to the repository). */
export function functionSources(dirs: string[]): string[] {
  const sources = new Set<string>();
  for (const service of loadManifests(dirs).services) {
    const env = envOf(service);
    const source = env.GRPC_SOURCE ?? env.FUNCTION_SOURCE;
    if (source) sources.add(source);
  }
  return [...sources].sort();
}

const CODE_DIRS = new Set(["src", "test", "node_modules"]);

// Libraries whose objects cross from the function to the host stay in node_modules, so that
// both use one copy: the framework's registry of targets, gRPC's server and credentials.
const EXTERNAL = [
  "@google-cloud/functions-framework",
  "@google-cloud/functions-framework/*",
  "@grpc/grpc-js",
  // A native addon (its prebuilt binary is chosen at run time).
  "@node-rs/argon2",
];

// Stores nobody listens on: a bundle's top level, run to warm its code cache, must reach none.
export const NOWHERE = {
  DATABASE_URL: "postgres://127.0.0.1:9/none",
  MONGODB_URL: "mongodb://127.0.0.1:9/",
  KAFKA_BROKERS: "127.0.0.1:9",
  ELASTICSEARCH_URL: "http://127.0.0.1:9",
};

/**
 * The bundle's code cache, made by plain node (the flags the image runs with) after running its
 * top level; compiled only, if that run fails. The same run fills Node's compile cache with what
 * it loaded: host.mjs and the packages outside the bundles (the framework, express, grpc-js).
 */
function writeCache(outDir: string, bundle: string): void {
  const run = spawnSync(
    process.execPath,
    [join(outDir, "host.mjs"), "--write-code-cache", bundle],
    {
      env: {
        ...process.env,
        ...NOWHERE,
        FUNCTIONS_DIST: outDir,
        NODE_COMPILE_CACHE: compileCacheDir(outDir),
      },
      encoding: "utf8",
      timeout: 30_000,
    },
  );
  if (run.status === 0) return;
  console.warn(
    `code cache of ${relative(outDir, bundle)}: warm run failed (${run.error?.message ?? `exit ${run.status}`}: ${run.stderr.trim().split("\n").pop() ?? ""}); writing a compile-only cache`,
  );
  writeCodeCache(bundle);
}

/**
 * esbuild escapes non-ASCII characters in code but not in the comments it keeps, and one such
 * character makes V8 hold the whole bundle as a two-byte string: twice the memory, and its read
 * and compile at every start slower (~5 ms of the analytics bundle's). Escaped there too: \uXXXX
 * is harmless in a comment and the same character in a string or a regular expression.
 */
function asciiOnly(bundle: string): void {
  const text = readFileSync(bundle, "utf8");
  if (!/[\u0080-\uffff]/.test(text)) return;
  const escaped = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  writeFileSync(bundle, text.replace(/[\u0080-\uffff]/g, escaped));
}

/**
 * Node writes its compile cache for its own user (files 0600, in a directory named with the uid:
 * the image builds as the user its functions run as): readable by all, as the image's files
 * belong to root.
 */
function shareCompileCache(outDir: string): void {
  const dir = compileCacheDir(outDir);
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) chmodSync(join(entry.parentPath, entry.name), 0o644);
}

export async function buildFunctions(
  outDir: string,
  sources = functionSources([join(repoRoot, "knative")]),
): Promise<string[]> {
  rmSync(outDir, { recursive: true, force: true });
  const common = {
    outdir: outDir,
    bundle: true,
    platform: "node",
    target: "node24",
    external: EXTERNAL,
    logLevel: "warning",
  } as const;
  // The host: ESM (it awaits at the top level). Split: what it imports only when needed (the
  // OpenTelemetry SDK, with trace export on) is a chunk of its own, not parsed at every start.
  await build({
    ...common,
    entryPoints: { host: join(repoRoot, "shared", "src", "hosting", "main.ts") },
    format: "esm",
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    // CommonJS dependencies bundled into ESM still call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  // The functions: CommonJS, so that the host can compile each with V8's code cache
  // (shared/src/hosting/code-cache.ts); import.meta.url is the bundle's own URL.
  const entryPoints: Record<string, string> = {};
  for (const source of sources)
    entryPoints[relative(outDir, bundlePath(outDir, source)).replace(/\.cjs$/, "")] = join(
      repoRoot,
      source,
    );
  await build({
    ...common,
    entryPoints,
    format: "cjs",
    outExtension: { ".js": ".cjs" },
    define: { "import.meta.url": "__bundleUrl" },
    banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  for (const source of sources) {
    asciiOnly(bundlePath(outDir, source));
    writeCache(outDir, bundlePath(outDir, source));
  }
  shareCompileCache(outDir);
  // Files read at run time: the gRPC contracts (the host points PROTOS_DIR here) and a
  // function's data beside its src/ (migrations/), found where the source expects them.
  cpSync(join(repoRoot, "protos"), join(outDir, "protos"), { recursive: true });
  for (const dir of new Set(sources.map((source) => dirname(dirname(source)))))
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true }))
      if (entry.isDirectory() && !CODE_DIRS.has(entry.name))
        cpSync(join(repoRoot, dir, entry.name), join(outDir, dir, entry.name), { recursive: true });
  return ["host", ...Object.keys(entryPoints)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf("--out");
  const outDir = resolve(at > 0 ? (process.argv[at + 1] ?? "dist") : join(repoRoot, "dist"));
  const began = performance.now();
  const bundles = await buildFunctions(outDir);
  console.log(
    `built ${bundles.length} bundles in ${outDir} (${Math.round(performance.now() - began)} ms)`,
  );
}
