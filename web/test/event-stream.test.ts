// The web app's EventSource wrapper in a real browser, against a gateway that fails the way a
// restarting one does behind the edge: a 502 (EventSource gives up for good on it), a stream
// that ends (EventSource resumes it by itself with Last-Event-ID), then a 502 again (the wrapper
// opens a new stream, resuming from the last id with `lastEventId`).
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";

let browser: Browser;
let server: Server;
/** What each request to the stream carried: its query's lastEventId, its Last-Event-ID header. */
const requests: { query: string | null; header: string | undefined }[] = [];

const answers = [
  (res: ServerResponse) => res.writeHead(502).end(),
  (res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end('retry: 100\n\nid: m1\nevent: message\ndata: {"n":1}\n\n');
  },
  (res: ServerResponse) => res.writeHead(502).end(),
  (res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write('id: m2\nevent: message\ndata: {"n":2}\n\n');
  },
];

beforeAll(async () => {
  const bundle = await build({
    stdin: {
      contents: `import { followEventStream } from "./web/src/event-stream.ts";
        window.got = [];
        followEventStream({
          path: "/stream",
          params: { room: "r1" },
          on: { message: (data) => window.got.push(data.n) },
          connected: () => {},
        });`,
      resolveDir: process.cwd(),
      loader: "ts",
    },
    bundle: true,
    write: false,
    format: "iife",
  });
  const script = bundle.outputFiles[0]?.text ?? "";
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://test");
    if (url.pathname === "/stream") {
      requests.push({
        query: url.searchParams.get("lastEventId"),
        header: req.headers["last-event-id"] as string | undefined,
      });
      const answer = answers[requests.length - 1];
      if (answer) answer(res);
      else res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><script>${script}</script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
});

it("keeps following a stream through 502s, resuming from the last id", async () => {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const got = () => page.evaluate("window.got") as Promise<number[]>;
  await page.waitForFunction("window.got.length === 2", undefined, { timeout: 15_000 });
  expect(await got()).toEqual([1, 2]);
  expect(requests).toEqual([
    { query: null, header: undefined },
    { query: null, header: undefined },
    // EventSource's own reconnection, after the stream ended.
    { query: null, header: "m1" },
    // The wrapper's new EventSource, after the 502.
    { query: "m1", header: undefined },
  ]);
});
