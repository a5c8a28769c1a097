// How the edge serves the web app: every app path is the single page, with the security headers;
// hashed assets are cached for good; API paths are not swallowed by the page.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { serviceUrls } from "@stream-platform/shared";
import { describe, expect, it } from "vitest";
import { webDist } from "../../local/src/servers/web.ts";

const edge = serviceUrls().edgeUrl;

describe("the web app at the edge", () => {
  it("answers every app path with the page and its security headers", async () => {
    for (const path of [
      "/",
      "/watch/evt_anything",
      "/c/some-channel",
      "/search?q=x",
      "/dashboard",
    ]) {
      const response = await fetch(`${edge}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      expect(await response.text()).toContain('<div id="app">');
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("cache-control")).toBe("no-cache");
    }
  });

  it("caches hashed assets for a year, and leaves /api to the functions", async () => {
    const asset = readdirSync(join(webDist, "assets")).find((name) => name.endsWith(".js"));
    const response = await fetch(`${edge}/assets/${asset}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("immutable");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const api = await fetch(`${edge}/api/events/evt_nosuchevent0000`);
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toBe("application/problem+json");
  });
});
