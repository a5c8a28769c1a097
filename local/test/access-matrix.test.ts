// Who may do what: every HTTP route of the platform, through the edge, asked by nobody, by another
// signed-in person and by the owner of what it touches, with the status each must get, and each
// answer checked against docs/openapi.yaml. A route added without a row here, or missing from
// the document, fails the last test.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serviceUrls, toHttpBinary } from "@stream-platform/shared";
import { api, newUser, type TestUser, uniqueSlug } from "@stream-platform/shared/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/paths.ts";
import { openapi, undocumented } from "./openapi.ts";

type Who = "anonymous" | "other" | "owner";

interface Fixtures {
  owner: TestUser;
  other: TestUser;
  channelId: string;
  slug: string;
  eventId: string;
}

interface Row {
  method: string;
  /** The route as its function declares it. */
  route: string;
  path: (f: Fixtures) => string;
  body?: (f: Fixtures) => unknown;
  expect: Record<Who, number>;
}

const everyone = (status: number) => ({ anonymous: status, other: status, owner: status });
const signedIn = (status: number) => ({ anonymous: 401, other: status, owner: status });
const ownerOnly = (status: number) => ({ anonymous: 401, other: 403, owner: status });
const inTwoHours = () => new Date(Date.now() + 2 * 3_600_000).toISOString();

// Writes that change what later rows see come last (the owner cancels the event at the end).
const ROWS: Row[] = [
  {
    method: "POST",
    route: "/api/users",
    path: () => "/api/users",
    expect: everyone(201),
    body: () => ({
      email: `m-${randomUUID()}@example.org`,
      password: "a long password",
      displayName: "M",
    }),
  },
  {
    method: "POST",
    route: "/api/sessions",
    path: () => "/api/sessions",
    expect: everyone(200),
    body: (f) => ({ email: f.owner.email, password: f.owner.password }),
  },
  { method: "DELETE", route: "/api/sessions", path: () => "/api/sessions", expect: everyone(204) },
  { method: "GET", route: "/api/me", path: () => "/api/me", expect: signedIn(200) },
  {
    method: "GET",
    route: "/api/me/channels",
    path: () => "/api/me/channels",
    expect: signedIn(200),
  },
  {
    method: "GET",
    route: "/api/me/subscriptions",
    path: () => "/api/me/subscriptions",
    expect: signedIn(200),
  },
  {
    method: "POST",
    route: "/api/channels",
    path: () => "/api/channels",
    expect: signedIn(201),
    body: () => ({ slug: uniqueSlug("matrix"), title: "Matrix" }),
  },
  {
    method: "GET",
    route: "/api/channels/:idOrSlug",
    path: (f) => `/api/channels/${f.slug}`,
    expect: everyone(200),
  },
  {
    method: "GET",
    route: "/api/channels/:id/stream-key",
    path: (f) => `/api/channels/${f.channelId}/stream-key`,
    expect: ownerOnly(200),
  },
  {
    method: "POST",
    route: "/api/channels/:id/stream-key",
    path: (f) => `/api/channels/${f.channelId}/stream-key`,
    expect: ownerOnly(200),
  },
  {
    method: "GET",
    route: "/api/channels/:id/subscribers/count",
    path: (f) => `/api/channels/${f.channelId}/subscribers/count`,
    expect: everyone(200),
  },
  {
    method: "PUT",
    route: "/api/subscriptions/channels/:id",
    path: (f) => `/api/subscriptions/channels/${f.channelId}`,
    expect: signedIn(201),
  },
  {
    method: "DELETE",
    route: "/api/subscriptions/channels/:id",
    path: (f) => `/api/subscriptions/channels/${f.channelId}`,
    expect: signedIn(204),
  },
  {
    method: "PUT",
    route: "/api/subscriptions/events/:id",
    path: (f) => `/api/subscriptions/events/${f.eventId}`,
    expect: signedIn(201),
  },
  {
    method: "DELETE",
    route: "/api/subscriptions/events/:id",
    path: (f) => `/api/subscriptions/events/${f.eventId}`,
    expect: signedIn(204),
  },
  {
    method: "GET",
    route: "/api/users/:id/subscriptions",
    path: (f) => `/api/users/${f.owner.id}/subscriptions`,
    expect: ownerOnly(200),
  },
  {
    method: "POST",
    route: "/api/events",
    path: () => "/api/events",
    expect: ownerOnly(201),
    body: (f) => ({ channelId: f.channelId, title: "Matrix event", startsAt: inTwoHours() }),
  },
  { method: "GET", route: "/api/events", path: () => "/api/events?limit=1", expect: everyone(200) },
  {
    method: "GET",
    route: "/api/events/:id",
    path: (f) => `/api/events/${f.eventId}`,
    expect: everyone(200),
  },
  {
    method: "PATCH",
    route: "/api/events/:id",
    path: (f) => `/api/events/${f.eventId}`,
    expect: ownerOnly(200),
    body: () => ({ title: "Matrix event, renamed" }),
  },
  {
    method: "GET",
    route: "/api/me/notifications",
    path: () => "/api/me/notifications",
    expect: signedIn(200),
  },
  {
    method: "POST",
    route: "/api/me/notifications/read-all",
    path: () => "/api/me/notifications/read-all",
    expect: signedIn(200),
  },
  // Nobody's notification: another person's would be a 404 too (tested in notifications).
  {
    method: "POST",
    route: "/api/me/notifications/:id/read",
    path: () => "/api/me/notifications/ntf_000000000000000000000000/read",
    expect: signedIn(404),
  },
  {
    method: "GET",
    route: "/api/search",
    path: () => "/api/search?q=matrix",
    expect: everyone(200),
  },
  {
    method: "GET",
    route: "/api/search/suggest",
    path: () => "/api/search/suggest?q=matrix",
    expect: everyone(200),
  },
  // Beacons come from anonymous players by design.
  {
    method: "POST",
    route: "/api/analytics/beacons",
    path: () => "/api/analytics/beacons",
    expect: everyone(202),
    body: (f) => ({
      eventId: f.eventId,
      viewerId: `v-${randomUUID()}`,
      sessionId: `s-${randomUUID()}`,
      seq: 0,
      position: 0,
    }),
  },
  {
    method: "GET",
    route: "/api/analytics/events/:id",
    path: (f) => `/api/analytics/events/${f.eventId}`,
    expect: everyone(200),
  },
  {
    method: "GET",
    route: "/api/analytics/events/:id/details",
    path: (f) => `/api/analytics/events/${f.eventId}/details`,
    expect: ownerOnly(200),
  },
  {
    method: "GET",
    route: "/api/analytics/channels/:id",
    path: (f) => `/api/analytics/channels/${f.channelId}`,
    expect: ownerOnly(200),
  },
  {
    method: "DELETE",
    route: "/api/events/:id",
    path: (f) => `/api/events/${f.eventId}`,
    expect: ownerOnly(200),
  },
];

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
  const [owner, other] = await Promise.all([newUser("matrix-owner"), newUser("matrix-other")]);
  const slug = uniqueSlug("matrix");
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug, title: "Matrix channel" },
  });
  const event = await api<{ id: string }>("/api/events", {
    token: owner.token,
    body: { channelId: channel.body.id, title: "Matrix event", startsAt: inTwoHours() },
  });
  expect([channel.status, event.status]).toEqual([201, 201]);
  f = { owner, other, slug, channelId: channel.body.id, eventId: event.body.id };
});

describe("access matrix", () => {
  it.each(ROWS.map((row) => [`${row.method} ${row.route}`, row] as const))("%s", async (_, row) => {
    const got: Record<Who, number> = { anonymous: 0, other: 0, owner: 0 };
    for (const who of ["anonymous", "other", "owner"] as const) {
      const token = who === "anonymous" ? undefined : f[who].token;
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
    expect(got).toEqual(row.expect);
  });

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
      return [...source.matchAll(/router\.on\("(\w+)", [`"]([^`"]+)[`"]/g)].flatMap((m) => {
        const [method, route] = [m[1] ?? "", m[2] ?? ""];
        // The subscriptions function declares both kinds in one loop.
        const placeholder = /\$\{kind\}/;
        return placeholder.test(route)
          ? ["channels", "events"].map((kind) => `${method} ${route.replace(placeholder, kind)}`)
          : [`${method} ${route}`];
      });
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
    const extra = ["GET /api/me/notifications/stream", "POST /ce"];
    expect(new Set(documented)).toEqual(
      new Set([...declared.map((d) => d.replace(/:(\w+)/g, "{$1}")), ...extra]),
    );
  });
});
