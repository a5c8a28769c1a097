// Docs that run: every README's ```sh blocks, in order, with bash against the running platform,
// as a new user would paste them. Each README's examples must run to the end (`set -e`), and
// every curl must answer the status its comment promises (`# → 201`), or any 2xx without one.
// A block fenced ```sh no-test is shown, not run: it deploys, stops the servers, or runs until
// interrupted. The READMEs make their own accounts and channels with unique names.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localPorts, serviceUrls } from "@stream-platform/shared";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/paths.ts";

interface Block {
  /** The README line of the block's first command. */
  line: number;
  code: string;
}

/** The runnable ```sh blocks of a README, and how many are marked no-test. */
function shellBlocks(markdown: string): { run: Block[]; skipped: number } {
  const run: Block[] = [];
  let skipped = 0;
  // Fences may be indented (a block inside a list item); the code loses that indentation.
  const fence = /^( *)```(\S*)([^\n]*)\n([\s\S]*?)^\1```[ \t]*$/gm;
  for (const match of markdown.matchAll(fence)) {
    const [, indent = "", language, info = "", indented = ""] = match;
    const code = indented.replace(new RegExp(`^${indent}`, "gm"), "");
    if (!["sh", "bash", "shell"].includes(language ?? "")) continue;
    if (info.split(/\s+/).includes("no-test")) {
      skipped++;
      continue;
    }
    const line = markdown.slice(0, match.index).split("\n").length + 1;
    run.push({ line, code });
  }
  return { run, skipped };
}

/**
 * The `# → NNN` promises of a script, keyed by every line of the command they follow: a command
 * continued with `\`, or over a quoted string or `$(…)` spanning lines, is one command, and bash
 * reports a call inside it at any of its lines.
 */
function promisedStatuses(script: string): Map<number, { status: string; at: number }> {
  const promises = new Map<number, { status: string; at: number }>();
  let line = 1;
  let start = 1;
  let quote: "'" | '"' | undefined;
  let depth = 0;
  let promise: { status: string; at: number } | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === "\n") {
      const continued = script[i - 1] === "\\" || quote !== undefined || depth > 0;
      if (!continued) {
        if (promise) for (let l = start; l <= line; l++) promises.set(l, promise);
        promise = undefined;
        start = line + 1;
      }
      line++;
    } else if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === "\\") {
      if (script[i + 1] !== "\n") i++;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === "(") {
      depth++;
    } else if (c === ")") {
      depth = Math.max(0, depth - 1);
    } else if (c === "#" && (i === 0 || /\s/.test(script[i - 1] ?? ""))) {
      const end = script.indexOf("\n", i);
      const comment = script.slice(i, end === -1 ? undefined : end);
      const status = /→\s*(\d{3})\b/.exec(comment)?.[1];
      if (status) promise = { status, at: line };
      i = (end === -1 ? script.length : end) - 1;
    }
  }
  if (promise) for (let l = start; l <= line; l++) promises.set(l, promise);
  return promises;
}

// curl, checked: the status line of the last response (redirects followed or not) must be the
// promised one. `-D` writes the headers aside, so the example's own output is untouched.
const prelude = `set -Eeuo pipefail
shopt -s inherit_errexit
trap '[[ $BASH_COMMAND == return* ]] || echo "✗ \${README_WHERE[$LINENO]:-line $LINENO}: $BASH_COMMAND" >&2' ERR
curl() {
  local line=\${BASH_LINENO[0]} headers status want rc=0
  headers=$(mktemp)
  command curl -D "$headers" "$@" || rc=$?
  status=$(sed -n 's/^HTTP\\/[0-9.]* \\([0-9]*\\).*/\\1/p' "$headers" | tail -n 1)
  rm -f "$headers"
  if [[ $rc != 0 ]]; then
    echo "✗ \${README_WHERE[$line]}: curl exited $rc" >&2
    return "$rc"
  fi
  want=\${README_PROMISE[$line]:-2xx}
  if [[ $status != \${want//x/?} ]]; then
    echo "✗ \${README_WHERE[$line]}: HTTP $status, the README promises \${want}" >&2
    return 1
  fi
  if [[ -n \${README_PROMISE_AT[$line]:-} ]]; then echo "\${README_PROMISE_AT[$line]}" >>"$README_CHECKED"; fi
}
`;

function bashArray(name: string, entries: [number, string][]): string {
  const items = entries.map(([key, value]) => `[${key}]=${JSON.stringify(value)}`).join(" ");
  return `declare -A ${name}=(${items})`;
}

/** The README's blocks as one script (line 1 sources the prelude), and what it promises. */
function script(readme: string, blocks: Block[], preludeFile: string) {
  const lines = [`source ${JSON.stringify(preludeFile)}`];
  const where: [number, string][] = [];
  for (const block of blocks) {
    block.code.split("\n").forEach((text, i) => {
      lines.push(text);
      where.push([lines.length, `${readme}:${block.line + i}`]);
    });
  }
  const text = lines.join("\n");
  const located = new Map(where);
  const promises = [...promisedStatuses(text)].map(
    ([line, { status, at }]) => [line, status, located.get(at) ?? `line ${at}`] as const,
  );
  return { text, located, promises };
}

// The READMEs name the local defaults; a machine with other ports runs them on its own.
function localized(code: string): string {
  const edge = serviceUrls().edgeUrl;
  const streamServer = `http://127.0.0.1:${localPorts().streamServer}`;
  return code
    .replaceAll("http://127.0.0.1:8080", edge)
    .replaceAll("http://127.0.0.1:8091", streamServer);
}

// From git, not a walk of the tree: a walk also enters .data, where the running servers add and
// remove directories under it (a rehearsal failed on one that VictoriaMetrics merged away).
function readmes(): string[] {
  return execFileSync(
    "git",
    ["ls-files", "--cached", "--others", "--exclude-standard", "--", "README.md", "*/README.md"],
    { cwd: repoRoot, encoding: "utf8" },
  )
    .split("\n")
    .filter((path) => path !== "" && !/(^|\/)(node_modules|dist)\//.test(path))
    .sort();
}

const work = mkdtempSync(join(tmpdir(), "readme-examples-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// In a process group of its own, so a README that hangs is stopped with all it started.
function runBash(file: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("bash", [file], { cwd: repoRoot, env, detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      stderr += "\n(timed out after 90 s)";
      process.kill(-(child.pid ?? 0), "SIGKILL");
    }, 90_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Where a `# → NNN` was written that no curl checked. */
  unkept: string[];
}

async function runExamples(readme: string, blocks: Block[]): Promise<Outcome> {
  const name = readme.replaceAll("/", "_");
  const preludeFile = join(work, `${name}.prelude.sh`);
  const checked = join(work, `${name}.checked`);
  const scriptFile = join(work, `${name}.sh`);
  const { text, located, promises } = script(
    readme,
    blocks.map((block) => ({ ...block, code: localized(block.code) })),
    preludeFile,
  );
  writeFileSync(
    preludeFile,
    [
      bashArray("README_WHERE", [...located]),
      bashArray(
        "README_PROMISE",
        promises.map(([line, status]) => [line, status]),
      ),
      bashArray(
        "README_PROMISE_AT",
        promises.map(([line, , at]) => [line, at]),
      ),
      prelude,
    ].join("\n"),
  );
  writeFileSync(scriptFile, text);
  writeFileSync(checked, "");
  const result = await runBash(scriptFile, { ...process.env, README_CHECKED: checked });
  const kept = new Set(readFileSync(checked, "utf8").split("\n"));
  const unkept = [...new Set(promises.map(([, , at]) => at))].filter((at) => !kept.has(at));
  return { ...result, unkept };
}

describe("the README runner", () => {
  it("takes ```sh blocks, leaves no-test ones and other languages", () => {
    const markdown = [
      "# x", // 1
      "```sh", // 2
      "echo a", // 3
      "```", // 4
      "```sh no-test", // 5
      "npm start", // 6
      "```", // 7
      "- a list item:", // 8
      "  ```sh", // 9
      "  echo b", // 10
      "    echo c", // 11
      "  ```", // 12
      "```", // 13
      "out", // 14
      "```", // 15
    ].join("\n");
    expect(shellBlocks(markdown)).toEqual({
      run: [
        { line: 3, code: "echo a\n" },
        { line: 10, code: "echo b\n  echo c\n" },
      ],
      skipped: 1,
    });
  });

  it("holds a promise for every line of a command over several lines", () => {
    const promises = promisedStatuses(
      [
        "X=$(curl -s a \\", // 1
        "  -d '{", // 2
        '  "b": 1}\' | jq .id)   # → 201', // 3
        "curl -s b   # a comment, no promise", // 4
        "curl -s 'c#d' # → 404: gone", // 5
      ].join("\n"),
    );
    expect([...promises].map(([line, { status, at }]) => [line, status, at])).toEqual([
      [1, "201", 3],
      [2, "201", 3],
      [3, "201", 3],
      [5, "404", 5],
    ]);
  });

  it("fails on a status other than the promised one, and on an error without a promise", async () => {
    const edge = "http://127.0.0.1:8080";
    const wrong = await runExamples("promise.md", [
      { line: 1, code: `curl -s ${edge}/healthz   # → 201\n` },
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("promise.md:1: HTTP 200, the README promises 201");
    const unpromised = await runExamples("error.md", [
      {
        line: 7,
        code: `echo start\ncurl -s ${edge}/api/channels/no-such-channel-$RANDOM\necho never\n`,
      },
    ]);
    expect(unpromised.code).not.toBe(0);
    expect(unpromised.stderr).toContain("error.md:8: HTTP 404, the README promises 2xx");
    expect(unpromised.stdout).not.toContain("never");
  });

  it("reports a promise that no curl kept", async () => {
    const outcome = await runExamples("idle.md", [{ line: 3, code: "true   # → 201\n" }]);
    expect(outcome.code).toBe(0);
    expect(outcome.unkept).toEqual(["idle.md:3"]);
  });
});

describe("README examples", () => {
  const runnable = readmes()
    .map((readme) => ({
      readme,
      blocks: shellBlocks(readFileSync(join(repoRoot, readme), "utf8")).run,
    }))
    .filter(({ blocks }) => blocks.length > 0);

  it("finds the READMEs with examples", () => {
    expect(runnable.map(({ readme }) => readme)).toEqual(
      expect.arrayContaining([
        "README.md",
        "functions/accounts/README.md",
        "functions/analytics/README.md",
        "functions/events/README.md",
        "functions/ingress/README.md",
        "functions/notifications/README.md",
        "functions/search/README.md",
        "stream-server/README.md",
      ]),
    );
  });

  it.each(runnable.map(({ readme, blocks }) => [readme, blocks] as const))(
    "%s runs as written",
    async (readme, blocks) => {
      const outcome = await runExamples(readme, blocks);
      expect(outcome.code, `${outcome.stderr}\n${outcome.stdout.slice(-2000)}`).toBe(0);
      // Every promise was checked by a curl that ran: none sits on a line nothing calls.
      expect(outcome.unkept).toEqual([]);
    },
    120_000,
  );
});
