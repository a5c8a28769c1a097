// Secrets never reach a log: after every other test (this file runs last), the logs of the whole
// run — functions, servers, the edge's access log — hold no stream key, session token, test
// password, or the platform's own secrets.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { logDir } from "../src/paths.ts";
import { localSecret } from "../src/servers/platform.ts";

const PATTERNS: [string, RegExp][] = [
  ["stream key", /sk_[A-Za-z0-9_-]{32}/],
  ["session token (JWT)", /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./],
  ["test password", /pw-[0-9a-f]{16}/],
  // A mailed link's single-use token (password reset, address verification).
  ["mailed link token", /token=[A-Za-z0-9_-]{43}\b/],
];

const files = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());

/** Each line of `text` that shows a secret: "what, line number". */
export function leaks(text: string, secrets: string[]): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, index) => {
    for (const [what, pattern] of PATTERNS)
      if (pattern.test(line)) found.push(`${what}, line ${index + 1}`);
    if (secrets.some((secret) => line.includes(secret)))
      found.push(`a platform secret, line ${index + 1}`);
  });
  return found;
}

describe("logs", () => {
  const secrets = [
    localSecret("jwt-secret"),
    localSecret("stream-key-secret"),
    localSecret("internal-token"),
  ];

  it("would notice each kind of secret", () => {
    const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig";
    const sample = [
      `publish rtmp://h/live/sk_${"a".repeat(32)}`,
      `authorization: Bearer ${token}`,
      '{"password":"pw-0123456789abcdef"}',
      `secret=${secrets[0]}`,
      `GET /reset-password?token=${"b".repeat(43)}`,
      "an ordinary line",
    ].join("\n");
    expect(leaks(sample, secrets)).toHaveLength(5);
  });

  it("hold no stream key, token, password or platform secret after the whole run", () => {
    const scanned = files(logDir);
    expect(scanned.length).toBeGreaterThan(5);
    const found = scanned.flatMap((file) =>
      leaks(readFileSync(file, "utf8"), secrets).map((leak) => `${file}: ${leak}`),
    );
    expect(found).toEqual([]);
  });
});
