// Floods through the edge (#23, item 9): past a route's limit_req, NGINX itself answers 429
// problem+json naming what was limited, with Retry-After, and the request never reaches the
// function; the limit is per client address, so a client elsewhere is not held back. Each flood
// comes from an address of its own on the loopback network (127.x.y.z), as the other clients
// of the suite are not its victims.
import { clientAt, freshAddress } from "@stream-platform/shared/testing";
import { describe, expect, it } from "vitest";
import { edgeLimitDetail, edgeLimits, retryAfterOf } from "../src/servers/edge-limits.ts";

// As the running edge was rendered (local/ reads the same EDGE_LIMIT_* variables).
const limits = edgeLimits();

describe("limit_req at the edge", () => {
  it("has limits to test (none were turned off here)", () => {
    expect(limits.map((limit) => limit.name).sort()).toEqual(
      ["account_mail", "beacons", "sign_in", "sign_up"].sort(),
    );
  });

  for (const limit of limits)
    for (const { method, path } of limit.routes)
      it(`refuses a flood of ${method} ${path} from one address (${limit.perSecond}/s, bursts of ${limit.burst}), not another address`, async () => {
        const flooder = clientAt(freshAddress());
        // An empty body: the function refuses it (400) without hashing or mailing anything.
        const send = (client: ReturnType<typeof clientAt>) => client(path, { method, body: {} });
        const count = limit.burst + 120;
        const started = Date.now();
        const answers = await Promise.all(Array.from({ length: count }, () => send(flooder)));
        const seconds = (Date.now() - started) / 1000;

        const atEdge = answers.filter(
          (a) => a.status === 429 && a.body.detail === edgeLimitDetail(limit),
        );
        for (const answer of atEdge) {
          expect(answer.headers["content-type"]).toBe("application/problem+json");
          expect(answer.headers["retry-after"]).toBe(String(retryAfterOf(limit)));
          expect(answer.body).toMatchObject({ status: 429, title: "Too many requests" });
        }
        // What got through is the burst (and the first request), plus what refilled meanwhile;
        // the function answered each: 400 for the empty body, or a 429 of its own.
        const through = answers.filter((a) => !atEdge.includes(a));
        expect(through.length).toBeGreaterThanOrEqual(limit.burst);
        expect(through.length).toBeLessThanOrEqual(
          limit.burst + 2 + Math.ceil(seconds * limit.perSecond),
        );
        expect(atEdge.length).toBe(count - through.length);
        for (const answer of through)
          expect([400, 429], JSON.stringify(answer.body)).toContain(answer.status);

        // Another address, at once: the function's answer, not the edge's refusal.
        const elsewhere = await send(clientAt(freshAddress()));
        expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(400);
        // And the flooder's other requests are not limited by it.
        expect((await flooder("/api/events")).status).toBe(200);
      });
});
