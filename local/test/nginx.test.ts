import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROBLEM_JSON, serviceUrls } from "@stream-platform/shared";
import { afterAll, describe, expect, it } from "vitest";
import { hlsDir } from "../src/servers/nginx.ts";
import { uniqueName } from "./names.ts";

describe("NGINX edge", () => {
  const folder = uniqueName("t_nginx");
  const dir = join(hlsDir, folder);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers /healthz", async () => {
    const response = await fetch(`${serviceUrls().edgeUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok\n");
  });

  it("serves a file from the HLS folder with the HLS MIME type", async () => {
    mkdirSync(dir, { recursive: true });
    const playlist = "#EXTM3U\n#EXT-X-VERSION:3\n";
    writeFileSync(join(dir, "index.m3u8"), playlist);
    const response = await fetch(`${serviceUrls().edgeUrl}/hls/${folder}/index.m3u8`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(await response.text()).toBe(playlist);
  });

  it("answers 404 for a file that is not there", async () => {
    const response = await fetch(`${serviceUrls().edgeUrl}/hls/${folder}/missing.ts`);
    expect(response.status).toBe(404);
  });

  // An API client must not take a typo for success (the web app's page, 200 text/html).
  it("answers an unknown API path 404 problem+json, whatever the method", async () => {
    for (const method of ["GET", "POST", "DELETE"]) {
      const response = await fetch(`${serviceUrls().edgeUrl}/api/nonexistent`, { method });
      expect(response.status, method).toBe(404);
      expect(response.headers.get("content-type"), method).toBe(PROBLEM_JSON);
      expect(await response.json(), method).toMatchObject({
        type: "about:blank",
        status: 404,
        title: "Not found",
      });
    }
  });

  it("answers a body over a path's limit 413 problem+json (analytics takes 64k)", async () => {
    const response = await fetch(`${serviceUrls().edgeUrl}/api/analytics/beacons`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ padding: "x".repeat(65 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe(PROBLEM_JSON);
    expect(await response.json()).toMatchObject({ type: "about:blank", status: 413 });
  });
});
