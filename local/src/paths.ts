// Where local/ keeps things. Data (server state, logs, pid files, generated configs) lives in one
// gitignored folder inside the clone; downloads and builds that do not depend on the clone
// (Maven jars, the FerretDB binary) live in a per-user cache so a fresh clone reuses them.
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const dataDir = resolve(process.env.STREAM_DATA_DIR || join(repoRoot, ".data"));
export const logDir = join(dataDir, "logs");
export const runDir = join(dataDir, "run");

// As root, a system-wide cache: servers that run as their own user must be able to read it.
const userCache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "stream-platform");
export const cacheDir = resolve(
  process.env.STREAM_CACHE_DIR ||
    (process.getuid?.() === 0 ? "/var/cache/stream-platform" : userCache),
);

/**
 * Node's module compile cache of a production build (`npm run build` fills it; the image and the
 * local runtime give it to their function processes as NODE_COMPILE_CACHE).
 */
export const compileCacheDir = (dist: string) => join(dist, ".compile-cache");

export const logFile = (name: string) => join(logDir, `${name}.log`);
export const pidFile = (name: string) => join(runDir, `${name}.pid`);
