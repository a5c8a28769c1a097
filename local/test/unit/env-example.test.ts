// Every process's `.env.example` lists every variable its code reads: the function host and
// each function (functions/*), stream-server, and local/. What a process reads is found by
// following its imports from its entry points (shared/'s modules included, as far as they are
// imported), so a variable read in shared/src/auth/jwt.ts is asked of every process that signs
// or checks tokens and of no other.
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { loadEnvFileIfPresent } from "@stream-platform/shared/env-file";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..", "..", "..");
const sharedExports: Record<string, string> = JSON.parse(
  readFileSync(join(root, "shared", "package.json"), "utf8"),
).exports;

/** Reads whose name is computed: the file, and the names it can produce. */
const DYNAMIC: Record<string, string[]> = {
  // SERVICE_<KNATIVE SERVICE>_ADDRESS, one per gRPC peer: listed as that pattern.
  "shared/src/grpc/clients.ts": ["SERVICE_<NAME>_ADDRESS"],
  // The helpers' own reads (env(name, …), port(name, …)): their callers' names are scanned.
  "shared/src/config.ts": [],
  // required(name) and the secret files' names, which become variables (SECRETS_DIR).
  "shared/src/hosting/main.ts": [],
  // EDGE_LIMIT_<NAME>, one per limit of EDGE_LIMITS.
  "local/src/servers/edge-limits.ts": [
    "EDGE_LIMIT_SIGN_IN",
    "EDGE_LIMIT_SIGN_UP",
    "EDGE_LIMIT_ACCOUNT_MAIL",
    "EDGE_LIMIT_BEACONS",
  ],
  "functions/chat/src/service.ts": [
    "CHAT_PERSON_RATE_PER_SECOND",
    "CHAT_PERSON_RATE_BURST",
    "CHAT_ADDRESS_RATE_PER_SECOND",
    "CHAT_ADDRESS_RATE_BURST",
  ],
};

/** The names a file reads from the environment. */
function variablesRead(file: string, text: string): string[] {
  const names = new Set<string>();
  const code = text.replace(/^\s*\/\/.*$/gm, "");
  for (const m of code.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)(\s*=(?!=))?/g))
    if (!m[2]) names.add(m[1] as string); // an assignment is no read
  for (const m of code.matchAll(/process\.env\[\s*["'`]([A-Z][A-Z0-9_]*)["'`]\s*\]/g))
    names.add(m[1] as string);
  // shared/src/config.ts's helpers and the host's required(): env("X", …), port("X", …).
  for (const m of code.matchAll(/\b(?:env|port|required|given)\(\s*"([A-Z][A-Z0-9_]*)"/g))
    names.add(m[1] as string);
  // A zod schema parsed from the environment (stream-server/src/config.ts).
  if (/safeParse\(env\)/.test(code))
    for (const m of code.matchAll(/^\s*([A-Z][A-Z0-9_]*):\s*(?:z\b|port\b)/gm))
      names.add(m[1] as string);
  const computed = /process\.env\[(?!\s*["'`][A-Z][A-Z0-9_]*["'`]\s*\])/.test(code);
  const key = relative(root, file);
  if (computed || key in DYNAMIC) {
    const known = DYNAMIC[key];
    if (!known) throw new Error(`${key} reads a computed variable name: list it in DYNAMIC`);
    for (const name of known) names.add(name);
  }
  return [...names];
}

function resolveImport(from: string, spec: string): string | undefined {
  let target: string | undefined;
  if (spec.startsWith(".")) target = resolve(dirname(from), spec);
  else if (spec === "@stream-platform/shared" || spec.startsWith("@stream-platform/shared/")) {
    const sub = `.${spec.slice("@stream-platform/shared".length)}`;
    const path = sharedExports[sub];
    if (path) target = join(root, "shared", path);
  }
  if (!target) return undefined;
  for (const candidate of [target, `${target}.ts`, join(target, "index.ts")])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return undefined;
}

/** Every file reachable from the entry points by static or dynamic import of a literal path. */
function reachable(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      const next = resolveImport(file, m[1] as string);
      if (next && !next.includes(`${"/test/"}`)) queue.push(next);
    }
  }
  return [...seen];
}

const sources = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.includes("generated"))
    .map((f) => join(dir, f));

/** The variables an `.env.example` lists (`NAME=default`, commented out or not). */
function listed(text: string): Set<string> {
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_<>]*)=/gm)].map((m) => m[1] as string));
}

const host = join(root, "shared", "src", "hosting", "main.ts");
const processes: { dir: string; entries: string[] }[] = [
  ...readdirSync(join(root, "functions"))
    .filter((name) => existsSync(join(root, "functions", name, "package.json")))
    .map((name) => ({
      dir: `functions/${name}`,
      // The host loads the function's sources by path (FUNCTION_SOURCE, GRPC_SOURCE).
      entries: [
        host,
        join(root, "shared", "src", "hosting", "host.ts"),
        ...sources(join(root, "functions", name, "src")),
      ],
    })),
  { dir: "stream-server", entries: sources(join(root, "stream-server", "src")) },
  { dir: "local", entries: sources(join(root, "local", "src")) },
];

describe(".env.example", () => {
  for (const { dir, entries } of processes) {
    it(`${dir}/.env.example lists every variable ${dir} reads`, () => {
      const file = join(root, dir, ".env.example");
      expect(existsSync(file), `${dir}/.env.example is missing`).toBe(true);
      const names = listed(readFileSync(file, "utf8"));
      const missing = reachable(entries).flatMap((f) =>
        variablesRead(f, readFileSync(f, "utf8"))
          .filter((name) => !names.has(name))
          .map((name) => `${name} (${relative(root, f)})`),
      );
      expect(missing, `read by ${dir} but not in its .env.example`).toEqual([]);
    });
  }

  it("finds reads of every shape the code uses", () => {
    const f = join(root, "x.ts");
    expect(
      variablesRead(
        f,
        [
          'const a = process.env.ALPHA ?? "1";',
          'process.env.SET_ONLY = "1";',
          'const b = process.env["BETA"];',
          'const c = env("GAMMA", "x");',
          "// process.env.IN_A_COMMENT",
        ].join("\n"),
      ).sort(),
    ).toEqual(["ALPHA", "BETA", "GAMMA"]);
    expect(() => variablesRead(f, "process.env[name]")).toThrow(/computed/);
    expect([...listed("# KEPT=1\nSET=2\n  # prose: not=a variable\n")]).toEqual(["KEPT", "SET"]);
  });
});

describe(".env", () => {
  it("is read when present and never overrides the environment", () => {
    const dir = mkdtempSync(join(tmpdir(), "env-file-"));
    const file = join(dir, ".env");
    expect(loadEnvFileIfPresent(file)).toBe(false);
    writeFileSync(file, "ENV_FILE_TEST_SET=from-file\nENV_FILE_TEST_NEW=from-file\n");
    process.env.ENV_FILE_TEST_SET = "from-environment";
    try {
      expect(loadEnvFileIfPresent(file)).toBe(true);
      expect(process.env.ENV_FILE_TEST_SET).toBe("from-environment");
      expect(process.env.ENV_FILE_TEST_NEW).toBe("from-file");
    } finally {
      delete process.env.ENV_FILE_TEST_SET;
      delete process.env.ENV_FILE_TEST_NEW;
      rmSync(dir, { recursive: true });
    }
  });

  it("is git-ignored", () => {
    expect(readFileSync(join(root, ".gitignore"), "utf8")).toMatch(/^\.env$/m);
  });
});
