// A MongoDB client whose first connection failed (the store down as the function started)
// connects once the store is back: the driver leaves such a client's topology closed for good
// ("Topology is closed" on every later operation) unless it is connected again.
import { createServer, type Server, connect as tcpConnect } from "node:net";
import { serviceUrls } from "@stream-platform/shared";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { until } from "@stream-platform/shared/testing";
import { afterAll, describe, expect, it } from "vitest";

/** A port nothing listens on yet. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Forwards `port` to the real MongoDB-protocol server: the store "coming back". */
function storeAt(port: number): Promise<Server> {
  const target = new URL(serviceUrls().mongodbUrl);
  const proxy = createServer((socket) => {
    const upstream = tcpConnect(Number(target.port || 27017), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on("error", () => upstream.destroy());
    upstream.on("error", () => socket.destroy());
  });
  return new Promise((resolve) => proxy.listen(port, "127.0.0.1", () => resolve(proxy)));
}

const opened: { close(): unknown }[] = [];
afterAll(async () => {
  for (const one of opened) await one.close();
});

describe("a MongoDB client started while the store is down", () => {
  it("answers once the store is back", async () => {
    const port = await freePort();
    const client = createMongoClient(`mongodb://127.0.0.1:${port}/`);
    opened.push(client);
    const ping = () => client.db("admin").command({ ping: 1 });
    await expect(ping()).rejects.toThrow();
    opened.push(await storeAt(port));
    const answer = await until("a ping answered", () => ping().catch(() => undefined), 20_000, 250);
    expect(answer).toMatchObject({ ok: 1 });
  }, 40_000);
});
