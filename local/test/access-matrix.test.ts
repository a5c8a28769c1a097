// Who may do what: every HTTP route of the platform, through the edge, asked by nobody, by another
// signed-in person and by the owner of what it touches, with the status each must get, and each
// answer checked against docs/openapi.yaml. A route added without a row here, or missing from
// the document, fails the last test.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serviceUrls, toHttpBinary } from "@stream-platform/shared";
import { api } from "@stream-platform/shared/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/paths.ts";
import { openapi, undocumented } from "./openapi.ts";
import { type Fixtures, makeFixtures, ROWS, signInAgain, type Who } from "./routes.ts";

let f: Fixtures;
const channelLike = {
  id: "00000000-0000-4000-8000-000000000000",
  ownerId: "o",
  slug: "s",
  title: "t",
  description: "",
  createdAt: "2030-01-01T00:00:00Z",
};

beforeAll(async () => {
  f = await makeFixtures("matrix");
});

describe("access matrix", () => {
  it("the notification stream: 401 signed out, open for a signed-in person", async () => {
    const url = `${serviceUrls().edgeUrl}/api/me/notifications/stream`;
    expect((await fetch(url)).status).toBe(401);
    for (const who of ["other", "owner"] as const) {
      const controller = new AbortController();
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${f[who].token}` },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      controller.abort();
    }
  });

  it("a chat room's stream: open to anyone, 400 naming eventId without one", async () => {
    const url = `${serviceUrls().edgeUrl}/api/chat/stream`;
    const bad = await api<{ errors: { field: string }[] }>("/api/chat/stream");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.field).toBe("eventId");
    for (const token of [undefined, f.other.token, f.owner.token]) {
      const controller = new AbortController();
      const response = await fetch(`${url}?eventId=${f.eventId}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      controller.abort();
    }
  });

  it("a person's session token is no ingress token: /ce refuses it a stream event", async () => {
    const { headers, body } = toHttpBinary({
      specversion: "1.0",
      id: randomUUID(),
      type: "streamplatform.stream.started",
      source: "/matrix",
      subject: f.channelId,
      datacontenttype: "application/json",
      data: { streamId: "str_matrix", channelId: f.channelId, startedAt: new Date().toISOString() },
      extensions: {},
    });
    for (const token of [undefined, f.other.token, f.owner.token]) {
      const response = await fetch(`${serviceUrls().edgeUrl}/ce`, {
        method: "POST",
        headers: { ...headers, ...(token && { authorization: `Bearer ${token}` }) },
        body,
      });
      expect(response.status).toBe(401);
    }
  });

  it("checks answers against the document for real: a wrong body or status is caught", () => {
    const json = new Headers({ "content-type": "application/json" });
    expect(
      undocumented("GET", "/api/me", { status: 200, headers: json, body: { id: "u" } }),
    ).toMatch(/must have required property/);
    expect(undocumented("GET", "/api/me", { status: 418, headers: json, body: {} })).toMatch(
      /not documented/,
    );
    expect(
      undocumented("GET", "/api/channels/:idOrSlug", {
        status: 200,
        headers: json,
        body: { ...channelLike, streamKey: "sk_leak" },
      }),
    ).toBeDefined();
  });

  it("has a row for every route the functions declare", () => {
    const declared = readdirSync(join(repoRoot, "functions")).flatMap((name) => {
      const file = join(repoRoot, "functions", name, "src", "http.ts");
      let source: string;
      try {
        source = readFileSync(file, "utf8");
      } catch {
        return [];
      }
      // `router.on("GET", "/api/…"` or, in a chained table, `.on("GET", "/api/…"` (perhaps
      // over several lines).
      return [...source.matchAll(/\.on\(\s*"(\w+)",\s*"([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    });
    expect(declared.length).toBeGreaterThan(20);
    const covered = new Set(ROWS.map((row) => `${row.method} ${row.route}`));
    expect(declared.filter((route) => !covered.has(route))).toEqual([]);
    // …and every one is in docs/openapi.yaml, which documents nothing else.
    const documented = Object.entries(openapi.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => ["get", "post", "put", "patch", "delete"].includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    // stream-server's routes (the SSE gateways, a stream's health, a poster's upload) and the
    // ingress's.
    const extra = [
      "GET /api/me/notifications/stream",
      "GET /api/chat/stream",
      "GET /api/streams/{id}/health",
      "PUT /api/streams/events/{eventId}/poster",
      "POST /ce",
    ];
    expect(new Set(documented)).toEqual(
      new Set([...declared.map((d) => d.replace(/:(\w+)/g, "{$1}")), ...extra]),
    );
  });

  // The rows last: the final one deletes the owner's account.
  it.each(ROWS.map((row) => [`${row.method} ${row.route}`, row] as const))("%s", async (_, row) => {
    const got: Record<Who, number> = { anonymous: 0, other: 0, owner: 0 };
    for (const who of ["anonymous", "other", "owner"] as const) {
      const token =
        who === "anonymous" ? undefined : row.revokes ? await signInAgain(f[who]) : f[who].token;
      const response = await api(row.path(f), {
        method: row.method,
        ...(token && { token }),
        ...(row.body && { body: row.body(f) }),
      });
      got[who] = response.status;
      if (response.status >= 400)
        expect(response.headers.get("content-type"), `${who}`).toBe("application/problem+json");
      // Each real answer is what docs/openapi.yaml says it is.
      expect(undocumented(row.method, row.route, response), who).toBeUndefined();
    }
    if (row.revokes)
      for (const who of ["other", "owner"] as const) f[who].token = await signInAgain(f[who]);
    expect(got).toEqual(row.expect);
  });
});
