// The route index: each Service in knative/ declares the paths it serves at the edge
// (streamplatform.dev/edge-paths), and the edge's locations, local and Compose, are generated
// from those declarations. Cross-checked here against docs/openapi.yaml and the access matrix's
// routes (routes.ts): every route reaches exactly the Service that declares it, through a
// private NGINX running the real template with stub upstreams that name themselves, and the
// function there really has it (the real edge). NGINX's own errors on API paths are problems.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCAL_HOST, PROBLEM_JSON, serviceUrls } from "@stream-platform/shared";
import { until } from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KnativeService, loadManifests, type Manifests } from "../src/eventing/manifests.ts";
import { repoRoot } from "../src/paths.ts";
import {
  concurrencyLimits,
  EDGE_MAX_BODY_SIZE,
  EDGE_MAX_CONCURRENCY,
  EDGE_PATHS,
  edgeLocations,
  edgeRouteOf,
  edgeRoutes,
} from "../src/servers/edge-routes.ts";
import { renderEdgeConfig, upstreams } from "../src/servers/nginx.ts";
import { openapi } from "./openapi.ts";
import { ROWS } from "./routes.ts";

const routes = edgeRoutes();
/** A path of a route, its parameters (`{id}`, `:id`) filled in. */
const concrete = (route: string) => route.replace(/\{\w+\}|:\w+/g, "x1");

/** The document's operations (a path item also holds `parameters`, `summary`…). */
const documented = Object.entries(openapi.paths).flatMap(([route, item]) =>
  Object.keys(item)
    .filter((key) => ["get", "put", "post", "delete", "patch", "head", "options"].includes(key))
    .map((method) => ({ from: "docs/openapi.yaml", method: method.toUpperCase(), route })),
);
/** Every route someone relies on: the document's operations and the access matrix's rows. */
const known = [
  ...documented,
  ...ROWS.map((row) => ({ from: "routes.ts", method: row.method, route: row.route })),
];

describe("the declarations", () => {
  it("give every documented and every matrix route to one Service", () => {
    for (const { from, method, route } of known)
      expect(edgeRouteOf(routes, concrete(route)), `${from}: ${method} ${route}`).toBeDefined();
  });

  it("each serve at least one route", () => {
    for (const declared of routes)
      expect(
        known.some(({ route }) => edgeRouteOf(routes, concrete(route)) === declared),
        `${declared.service} declares ${declared.path}, which no route uses`,
      ).toBe(true);
  });

  it("keep the exact and longest-prefix rules", () => {
    const owner = (path: string) => edgeRouteOf(routes, path)?.service;
    expect(owner("/api/me")).toBe("accounts");
    expect(owner("/api/me/channels")).toBe("accounts");
    expect(owner("/api/me/subscriptions")).toBe("accounts");
    expect(owner("/api/me/notifications")).toBe("notifications");
    expect(owner("/api/me/notifications/x1/read")).toBe("notifications");
    expect(owner("/api/me/notifications/stream")).toBe("stream-server");
    expect(owner("/api/chat/events/x1/messages")).toBe("chat");
    expect(owner("/api/chat/stream")).toBe("stream-server");
    // A pattern goes ahead of a prefix, for exactly its shape.
    expect(owner("/api/events/x1/related")).toBe("search");
    expect(owner("/api/events/x1")).toBe("events");
    expect(owner("/api/events/x1/related/x2")).toBe("events");
    expect(owner("/api/events/related")).toBe("events");
    expect(owner("/ce")).toBe("ingress");
    expect(owner("/ce/x")).toBeUndefined();
    expect(owner("/api/eventsx")).toBeUndefined();
    expect(owner("/api/nonexistent")).toBeUndefined();
  });

  const service = (name: string, annotations: Record<string, string>): KnativeService => ({
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { name, annotations },
    spec: { template: { spec: { containers: [{}] } } },
  });
  const manifests = (...services: KnativeService[]): Manifests => ({
    services,
    kafkaSources: [],
    pingSources: [],
    kafkaSinks: [],
    kubernetesServices: [],
  });

  it("refuse a path claimed twice, or malformed, naming the Service", () => {
    expect(() =>
      edgeRoutes(
        manifests(
          service("a", { [EDGE_PATHS]: "/api/x" }),
          service("b", { [EDGE_PATHS]: "=/api/x" }),
        ),
      ),
    ).toThrow(/b: .*\/api\/x is already declared by a/);
    for (const bad of [
      "api/x",
      "/api/x/",
      "/api/{id}",
      "/api x;",
      "/api/*",
      "~/api/x",
      "~/api/*/x~",
    ])
      expect(() => edgeRoutes(manifests(service("c", { [EDGE_PATHS]: bad })))).toThrow(/^c: /);
    expect(() =>
      edgeRoutes(manifests(service("d", { [EDGE_PATHS]: "/x", [EDGE_MAX_BODY_SIZE]: "lots" }))),
    ).toThrow(/^d: .*"lots" is not a size/);
    for (const bad of ["0", "-1", "many", "1.5"])
      expect(() =>
        edgeRoutes(manifests(service("g", { [EDGE_PATHS]: "/x", [EDGE_MAX_CONCURRENCY]: bad }))),
      ).toThrow(/^g: .*is not a whole number of requests/);
  });

  it("cap a Service's requests in flight at the edge: one zone for all its paths, 503 beyond", () => {
    const capped = edgeRoutes(
      manifests(service("h", { [EDGE_PATHS]: "/a =/b", [EDGE_MAX_CONCURRENCY]: "7" })),
    );
    const text = edgeLocations(capped);
    expect(text.match(/limit_conn fn_h_in_flight 7;\n\s+limit_conn_status 503;/g)).toHaveLength(3);
    expect(concurrencyLimits(capped)).toContain(
      "limit_conn_zone $edge_everyone zone=fn_h_in_flight:1m;",
    );
    const free = edgeRoutes(manifests(service("i", { [EDGE_PATHS]: "/a" })));
    expect(edgeLocations(free)).not.toContain("limit_conn");
    expect(concurrencyLimits(free)).toBe("");
  });

  it("become an exact and a prefix location each, with the body limit (a pattern, a regex location)", () => {
    const text = edgeLocations(
      edgeRoutes(manifests(service("e", { [EDGE_PATHS]: "/a =/b", [EDGE_MAX_BODY_SIZE]: "8k" }))),
    );
    expect(text).toContain(
      "location = /a {\n      client_max_body_size 8k;\n      proxy_pass http://fn_e;",
    );
    expect(text).toContain("location /a/ {");
    expect(text).toContain("location = /b {");
    expect(text).not.toContain("location /b/");
    expect(edgeLocations(edgeRoutes(manifests(service("f", { [EDGE_PATHS]: "~/a/*/b.c" }))))).toBe(
      "    # f\n    location ~ ^/a/[^/]+/b\\.c$ {\n      proxy_pass http://fn_f;\n    }",
    );
  });
});

// A private NGINX on the real template, its upstreams stubs that answer with their name.
const HANG = "/api/events/hang";
/** The private edge's cap on posts to /ce in flight (the manifest's, made small). */
const CE_CAP = 3;
/** Posts to /ce the ingress stub holds until the test lets them go. */
const held: (() => void)[] = [];
const OWN_PROBLEM = "/api/events/own-problem";
const ownProblem = { type: "about:blank", status: 502, title: "The function's own", detail: "d" };

function stub(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === HANG) return; // never answers: the edge times out
    req.resume();
    if (req.headers["x-hold"]) {
      held.push(() => res.writeHead(202, { "x-stub": name }).end(name));
      return;
    }
    if (req.url === OWN_PROBLEM) {
      res.writeHead(502, { "content-type": PROBLEM_JSON });
      res.end(JSON.stringify(ownProblem));
      return;
    }
    res.writeHead(200, { "x-stub": name });
    res.end(name);
  });
  return new Promise((resolve) => server.listen(0, LOCAL_HOST, () => resolve(server)));
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

async function freePort(): Promise<number> {
  const server = await stub("probe");
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("a private edge on the generated config", () => {
  const stubs = new Map<string, Server>();
  const prefix = mkdtempSync(join(tmpdir(), "edge-"));
  let nginx: ChildProcess;
  let edge: string;
  let stderr = "";

  beforeAll(async () => {
    const { services } = loadManifests([join(repoRoot, "knative")]);
    for (const name of [...services.map((s) => s.metadata.name), "stream-server"])
      stubs.set(name, await stub(name));
    for (const dir of ["tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi", "logs"])
      mkdirSync(join(prefix, dir), { recursive: true });
    const port = await freePort();
    edge = `http://${LOCAL_HOST}:${port}`;
    const config = renderEdgeConfig({
      PREFIX: prefix,
      LOG_DIR: join(prefix, "logs"),
      PORT: String(port),
      HLS_DIR: join(prefix, "hls"),
      UPSTREAMS: upstreams((s) => `${LOCAL_HOST}:${portOf(stubs.get(s.name) as Server)}`),
      STREAM_SERVER: `${LOCAL_HOST}:${portOf(stubs.get("stream-server") as Server)}`,
      // HTTP only: the TLS and RTMPS ports are the real edge's.
      MODULES: "",
      TLS_LISTEN: "",
      STREAM: "",
    });
    // The template's read timeout (60 s) shortened, so that a 504 comes within the test.
    const shortTimeout = config.replace(
      "proxy_http_version 1.1;",
      "proxy_http_version 1.1;\n  proxy_read_timeout 1s;",
    );
    expect(shortTimeout).not.toBe(config);
    const smallCap = shortTimeout.replace(
      /limit_conn fn_ingress_in_flight \d+;/g,
      `limit_conn fn_ingress_in_flight ${CE_CAP};`,
    );
    expect(smallCap).not.toBe(shortTimeout);
    writeFileSync(join(prefix, "nginx.conf"), smallCap);
    nginx = spawn(
      "nginx",
      ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-e", "stderr", "-g", "daemon off;"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    nginx.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    await until("the private edge's /healthz", async () => {
      if (nginx.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
      return (await fetch(`${edge}/healthz`).catch(() => undefined))?.ok || undefined;
    });
  });

  afterAll(async () => {
    if (nginx?.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once("exit", resolve));
      nginx.kill();
      await exited;
    }
    for (const server of stubs.values()) {
      server.closeAllConnections();
      server.close();
    }
    rmSync(prefix, { recursive: true, force: true });
  });

  const send = (method: string, path: string) =>
    fetch(`${edge}${path}`, {
      method,
      ...(["POST", "PUT", "PATCH", "DELETE"].includes(method) && { body: "{}" }),
    });

  it("sends every documented and every matrix route to the Service that declares it", async () => {
    for (const { from, method, route } of known) {
      const path = concrete(route);
      const response = await send(method, path);
      expect(
        response.headers.get("x-stub"),
        `${from}: ${method} ${path} (${response.status})`,
      ).toBe(edgeRouteOf(routes, path)?.service);
      await response.body?.cancel();
    }
  });

  it("answers an unknown API path itself, 404 problem+json, not with the web app's page", async () => {
    for (const path of ["/api/nonexistent", "/api", "/api/", "/api/eventsx", "/api/x.html"]) {
      const response = await send("GET", path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toBe(PROBLEM_JSON);
      expect(await response.json(), path).toMatchObject({ status: 404, title: "Not found" });
    }
    const page = await send("GET", "/watch/evt_x");
    expect(page.headers.get("content-type")).toContain("text/html");
  });

  it("lets a function's own problem through untouched (errors are not intercepted)", async () => {
    const response = await send("GET", OWN_PROBLEM);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual(ownProblem);
  });

  it("answers 504 problem+json when a function does not answer in time", async () => {
    const response = await send("GET", HANG);
    expect(response.status).toBe(504);
    expect(response.headers.get("content-type")).toBe(PROBLEM_JSON);
    expect(await response.json()).toMatchObject({ status: 504, type: "about:blank" });
  });

  it("refuses posts to /ce over the ingress's cap with 503 problem+json and Retry-After, and keeps the connection", async () => {
    const post = () =>
      fetch(`${edge}/ce`, { method: "POST", headers: { "x-hold": "1" }, body: "{}" });
    const taken = Array.from({ length: CE_CAP }, post);
    await until("the posts under the cap at the ingress", async () =>
      held.length === CE_CAP ? true : undefined,
    );
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("content-type")).toBe(PROBLEM_JSON);
    expect(refused.headers.get("connection")).not.toBe("close");
    expect(await refused.json()).toMatchObject({ status: 503, title: "Service unavailable" });
    for (const release of held.splice(0)) release();
    expect((await Promise.all(taken)).map((r) => r.status)).toEqual(Array(CE_CAP).fill(202));
  });

  it("answers 502 problem+json when a function is down", async () => {
    const search = stubs.get("search") as Server;
    await new Promise((resolve) => {
      search.close(resolve);
      search.closeAllConnections(); // the edge's kept-alive connections too
    });
    const response = await send("GET", "/api/search?q=x");
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toBe(PROBLEM_JSON);
    expect(await response.json()).toMatchObject({ status: 502, type: "about:blank" });
  });
});

describe("the real edge", () => {
  it("reaches, for every documented operation, a function that has the route", async () => {
    for (const { method, route } of documented) {
      const path = concrete(route);
      const response = await fetch(`${serviceUrls().edgeUrl}${path}`, {
        method,
        ...(method !== "GET" && {
          body: "{}",
          headers: { "content-type": "application/json" },
        }),
      });
      const body = (await response.json().catch(() => ({}))) as { detail?: string };
      // The edge's own 404 says "no API route", a function's router "no route for": neither.
      expect(response.status, `${method} ${path}`).not.toBe(405);
      expect(body.detail ?? "", `${method} ${path} (${response.status})`).not.toMatch(
        /^no (API )?route for/,
      );
    }
  });
});
