// Generated bad input (fast-check) at every HTTP route and at /ce: whatever the body, the query
// string or the CloudEvent, no answer is a 5xx, every refusal is problem+json, and a refused
// request stores nothing (the owner's channels and events change only by accepted requests).
import { type CloudEventV1, serviceUrls } from "@stream-platform/shared";
import { api, ingressToken } from "@stream-platform/shared/testing";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Fixtures, makeFixtures, ROWS, signInAgain } from "./routes.ts";

const RUNS = 25;
let f: Fixtures;

beforeAll(async () => {
  f = await makeFixtures("fuzz");
});

/** Anything a client might send as a body: JSON values, odd strings, arrays, nesting. */
const bodies = fc.oneof(
  fc.json().map((text) => ({ raw: text })),
  fc.string({ maxLength: 200 }).map((text) => ({ raw: text })),
  fc.anything({ maxDepth: 3 }).map((value) => ({ raw: JSON.stringify(value) ?? "null" })),
  fc
    .dictionary(
      fc.constantFrom(
        "title",
        "slug",
        "startsAt",
        "channelId",
        "email",
        "password",
        "tags",
        "status",
        "eventId",
        "seq",
      ),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string())),
    )
    .map((value) => ({ raw: JSON.stringify(value) })),
);

const queries = fc
  .dictionary(
    fc.oneof(
      fc.constantFrom(
        "q",
        "status",
        "limit",
        "cursor",
        "from",
        "to",
        "order",
        "page",
        "size",
        "tags",
        "channelId",
        "unread",
      ),
      fc.string(),
    ),
    fc.oneof(fc.string({ maxLength: 300 }), fc.integer().map(String), fc.constant("")),
  )
  .map((entries) => new URLSearchParams(entries).toString());

async function counts(): Promise<{ channels: number; events: number }> {
  const channels = await api<{ items: unknown[] }>("/api/me/channels", { token: f.owner.token });
  const events = await api<{ items: unknown[] }>(`/api/events?channelId=${f.channelId}&limit=100`);
  return { channels: channels.body.items.length, events: events.body.items.length };
}

function expectNoServerError(status: number, contentType: string | null, what: string): void {
  expect(status, what).toBeLessThan(500);
  if (status >= 400) expect(contentType, what).toBe("application/problem+json");
}

describe("generated bad input", () => {
  it("never gets a 5xx from any route, and stores only what was accepted", async () => {
    const before = await counts();
    let accepted = { channels: 0, events: 0 };
    for (const row of ROWS.filter((r) => r.method !== "GET")) {
      // A route that ends sessions ends one of its own, not the one the rest of the test uses.
      const token = row.revokes ? await signInAgain(f.owner) : f.owner.token;
      await fc.assert(
        fc.asyncProperty(bodies, async ({ raw }) => {
          const response = await api(row.path(f), { method: row.method, token, body: raw });
          expectNoServerError(
            response.status,
            response.headers.get("content-type"),
            `${row.method} ${row.route} ${raw}`,
          );
          if (response.status < 300 && row.method === "POST" && row.route === "/api/channels")
            accepted = { ...accepted, channels: accepted.channels + 1 };
          if (response.status < 300 && row.method === "POST" && row.route === "/api/events")
            accepted = { ...accepted, events: accepted.events + 1 };
        }),
        { numRuns: RUNS },
      );
      // Signing out everywhere ended the test's own session too.
      if (row.revokes) f.owner.token = await signInAgain(f.owner);
    }
    const after = await counts();
    expect(after).toEqual({
      channels: before.channels + accepted.channels,
      events: before.events + accepted.events,
    });
  }, 120_000);

  it("never gets a 5xx from any query string", async () => {
    for (const row of ROWS.filter((r) => r.method === "GET")) {
      await fc.assert(
        fc.asyncProperty(queries, async (query) => {
          const path = row.path(f).split("?")[0];
          const response = await api(`${path}?${query}`, { token: f.owner.token });
          expectNoServerError(
            response.status,
            response.headers.get("content-type"),
            `GET ${row.route}?${query}`,
          );
        }),
        { numRuns: RUNS },
      );
    }
  }, 120_000);

  it("answers malformed percent-encodings in a path 400, and ids of any shape below 500", async () => {
    const malformed = ["%E0%A4", "%", "%zz", "%C0%AF", "%ED%A0%80", "abc%"];
    const shapes = fc.oneof(
      // 36 characters that are not a UUID (PostgreSQL refuses them as one).
      fc.constantFrom(
        "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
        "------------------------------------",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "00000000-0000-0000-0000-00000000000g",
        "00000000000000000000000000000000000000000000",
        "evt_launch",
        "ntf_",
        "..",
        "%2e%2e",
        "%00",
        "%20",
      ),
      fc.string({ minLength: 1, maxLength: 80 }).map(encodeURIComponent),
      fc.stringMatching(/^[0-9a-f-]{36}$/),
    );
    const withParams = ROWS.filter((row) => row.route.includes("/:"));
    expect(withParams.length).toBeGreaterThan(10);
    const at = (row: (typeof ROWS)[number], value: string) => row.route.replace(/:\w+/g, value);
    for (const row of withParams) {
      for (const value of malformed) {
        const response = await api(at(row, value), {
          method: row.method,
          token: f.owner.token,
          ...(row.body && { body: row.body(f) }),
        });
        const what = `${row.method} ${at(row, value)}`;
        expect(response.status, what).toBe(400);
        expect(response.headers.get("content-type"), what).toBe("application/problem+json");
      }
      await fc.assert(
        fc.asyncProperty(shapes, async (value) => {
          const response = await api(at(row, value), {
            method: row.method,
            token: f.owner.token,
            ...(row.body && { body: row.body(f) }),
          });
          expectNoServerError(
            response.status,
            response.headers.get("content-type"),
            `${row.method} ${at(row, value)}`,
          );
        }),
        { numRuns: RUNS },
      );
    }
  }, 180_000);

  it("never gets a 5xx from /ce, whatever the CloudEvent", async () => {
    const event = fc.record(
      {
        specversion: fc.oneof(fc.constant("1.0"), fc.string()),
        id: fc.oneof(fc.uuid(), fc.string()),
        type: fc.oneof(
          fc.constantFrom(
            "streamplatform.stream.started",
            "streamplatform.event.updated",
            "streamplatform.viewer.heartbeat",
            "streamplatform.notification.created",
          ),
          fc.string(),
        ),
        source: fc.string(),
        subject: fc.string(),
        datacontenttype: fc.constantFrom("application/json", "text/plain"),
        data: fc.anything({ maxDepth: 2 }),
      },
      { requiredKeys: ["specversion", "id", "type"] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(event, fc.array(event, { maxLength: 5 })), async (body) => {
        const batch = Array.isArray(body);
        const response = await fetch(`${serviceUrls().edgeUrl}/ce`, {
          method: "POST",
          headers: {
            "content-type": batch
              ? "application/cloudevents-batch+json"
              : "application/cloudevents+json",
            authorization: `Bearer ${ingressToken()}`,
          },
          body: JSON.stringify(body as CloudEventV1 | CloudEventV1[]),
        });
        await response.arrayBuffer();
        expectNoServerError(
          response.status,
          response.headers.get("content-type"),
          JSON.stringify(body),
        );
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
