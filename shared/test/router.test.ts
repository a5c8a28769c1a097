// The router's answers to failures: a store that is away is a 503 with Retry-After, whatever
// client raised it (Elasticsearch's, MongoDB's, recognised without the router loading them).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { errors } from "@elastic/elasticsearch";
import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from "mongodb";
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
  mongoRefused: () => new MongoNetworkError("connect ECONNREFUSED 127.0.0.1:27017"),
  mongoSelection: () =>
    new MongoServerSelectionError("Server selection timed out after 5000 ms", {} as never),
  // FerretDB up, its PostgreSQL down (the message FerretDB 1.24 sends).
  ferretdbBackend: () =>
    new MongoServerError({
      message:
        "[collection.go:109 postgresql.(*collection).Query] failed to connect to `user=postgres database=ferretdb`: dial error",
      code: 1,
    }),
  duplicateKey: () => new MongoServerError({ message: "E11000 duplicate key error", code: 11000 }),
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

  it("answers 503 with Retry-After when MongoDB (or FerretDB's PostgreSQL) is away", async () => {
    for (const kind of ["mongoRefused", "mongoSelection", "ferretdbBackend"]) {
      const response = await fetch(`${base}/fail/${kind}`);
      expect(response.status, kind).toBe(503);
      expect(response.headers.get("retry-after"), kind).toBe("5");
    }
  });

  it("answers 500 for a request a store refused (a bug, not an outage)", async () => {
    for (const kind of ["refused", "duplicateKey"]) {
      const response = await fetch(`${base}/fail/${kind}`);
      expect(response.status, kind).toBe(500);
    }
  });
});
