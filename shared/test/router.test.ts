// The router's answers to failures: a store that is away is a 503 with Retry-After, whatever
// client raised it (here Elasticsearch's, recognised without the router loading that client).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { errors } from "@elastic/elasticsearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Router } from "../src/http/router.ts";

const failures: Record<string, () => unknown> = {
  connection: () => new errors.ConnectionError("connect ECONNREFUSED"),
  timeout: () => new errors.TimeoutError("Request timed out"),
  overloaded: () =>
    new errors.ResponseError({
      body: {},
      statusCode: 429,
      headers: {},
      warnings: null,
      meta: {} as never,
    }),
  refused: () =>
    new errors.ResponseError({
      body: {},
      statusCode: 400,
      headers: {},
      warnings: null,
      meta: {} as never,
    }),
};

let server: Server;
let base: string;

beforeAll(async () => {
  const router = new Router();
  router.on("GET", "/fail/:kind", ({ params }) => {
    throw (failures[params.kind ?? ""] ?? (() => new Error("?")))();
  });
  server = createServer((req, res) => void router.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("Router", () => {
  it("answers 503 with Retry-After when Elasticsearch is away or overloaded", async () => {
    for (const kind of ["connection", "timeout", "overloaded"]) {
      const response = await fetch(`${base}/fail/${kind}`);
      expect(response.status, kind).toBe(503);
      expect(response.headers.get("retry-after"), kind).toBe("5");
    }
  });

  it("answers 500 for a request Elasticsearch refused (a bug, not an outage)", async () => {
    const response = await fetch(`${base}/fail/refused`);
    expect(response.status).toBe(500);
  });
});
