import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serviceUrls } from "@stream-platform/shared";
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
});
