// The budget of the home page: the JavaScript it loads (the entry and what it preloads; the
// player's hls.js chunk loads on watch pages only), gzipped, at most 25 kB (issue #24's budget);
// no secret in any file.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { localSecret } from "../../local/src/servers/platform.ts";
import { webDist } from "../../local/src/servers/web.ts";

const BUDGET = 25 * 1024;

describe("web app bundle", () => {
  it("keeps the home page within 25 kB of gzipped JavaScript", () => {
    const html = readFileSync(join(webDist, "index.html"), "utf8");
    const scripts = [
      ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
      ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
    ].map((match) => match[1] ?? "");
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce(
      (sum, src) => sum + gzipSync(readFileSync(join(webDist, src))).length,
      0,
    );
    console.log(`home page JavaScript: ${(gzipped / 1024).toFixed(1)} kB gzipped`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET);
    // The player's library is not part of it.
    expect(scripts.some((src) => src.includes("hls"))).toBe(false);
  });

  it("holds no secret: no stream-key or JWT secret, no inline script", () => {
    const files = readdirSync(join(webDist, "assets")).map((name) =>
      readFileSync(join(webDist, "assets", name), "utf8"),
    );
    for (const secret of [localSecret("jwt-secret"), localSecret("stream-key-secret")])
      for (const text of files) expect(text.includes(secret)).toBe(false);
    expect(readFileSync(join(webDist, "index.html"), "utf8")).not.toMatch(/<script(?![^>]*src=)/);
  });
});
