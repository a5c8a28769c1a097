// The edge's request limits (local/src/servers/edge-limits.ts): every limited route is one the
// edge sends to a function and docs/openapi.yaml documents with that method, the environment
// changes a limit only by a value NGINX can take (and says which variable is wrong otherwise),
// and what local/.env.example tells an operator is what the edge does. local/test/edge-limits
// .test.ts floods the running edge.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../../src/paths.ts";
import { EDGE_LIMITS, edgeLimits, requestLimits } from "../../src/servers/edge-limits.ts";
import { edgeRouteOf, edgeRoutes } from "../../src/servers/edge-routes.ts";

describe("the edge's request limits", () => {
  it("limit only routes a function serves and docs/openapi.yaml documents", () => {
    const routes = edgeRoutes();
    const paths = (
      parse(readFileSync(join(repoRoot, "docs", "openapi.yaml"), "utf8")) as {
        paths: Record<string, Record<string, unknown>>;
      }
    ).paths;
    const limited = EDGE_LIMITS.flatMap((limit) => limit.routes);
    expect(limited.length).toBeGreaterThan(3);
    for (const { method, path } of limited) {
      expect(edgeRouteOf(routes, path)?.knative, `${path}: no function serves it`).toBe(true);
      expect(paths[path]?.[method.toLowerCase()], `${method} ${path} in openapi`).toBeDefined();
    }
    expect(new Set(limited.map((r) => `${r.method} ${r.path}`)).size).toBe(limited.length);
  });

  it("take RATE,BURST or off from EDGE_LIMIT_<NAME>", () => {
    expect(edgeLimits({})).toEqual(EDGE_LIMITS);
    const changed = edgeLimits({ EDGE_LIMIT_SIGN_UP: " 10, 300 ", EDGE_LIMIT_BEACONS: "off" });
    expect(changed.find((l) => l.name === "sign_up")).toMatchObject({ perSecond: 10, burst: 300 });
    expect(changed.map((l) => l.name)).not.toContain("beacons");
    // Below one a second, NGINX counts whole requests a minute.
    const slow = edgeLimits({ EDGE_LIMIT_ACCOUNT_MAIL: "0.5,10" });
    expect(requestLimits(slow)).toContain("zone=account_mail:10m rate=30r/m;");
    expect(requestLimits(slow)).toMatch(/"POST \/api\/password-resets" 2;/);
  });

  it("refuse a value NGINX cannot take, and a limit that does not exist, naming the variable", () => {
    for (const value of ["fast", "10", "10,", "-1,5", "0,5", "1.5,10", "0.001,5", "10,5.5"])
      expect(() => edgeLimits({ EDGE_LIMIT_SIGN_IN: value }), value).toThrow(
        /^EDGE_LIMIT_SIGN_IN: ".*" is not RATE,BURST .* e\.g\. 40,200\) or off$/,
      );
    expect(() => edgeLimits({ EDGE_LIMIT_SIGNIN: "1,1" })).toThrow(
      /EDGE_LIMIT_SIGNIN: no such edge limit \(there are EDGE_LIMIT_SIGN_IN, /,
    );
  });

  it("key each zone by the client's address on its routes only, and answer with its detail", () => {
    const conf = requestLimits(EDGE_LIMITS);
    for (const limit of EDGE_LIMITS) {
      expect(conf).toContain(`limit_req zone=${limit.name} burst=${limit.burst} nodelay;`);
      for (const { method, path } of limit.routes) {
        expect(conf).toContain(`    "${method} ${path}" $binary_remote_addr;`);
        expect(conf).toContain(`    "${method} ${path}" "too many ${limit.what} from this address`);
      }
    }
    // No default key: every other request has an empty one, which NGINX does not count.
    expect(conf.match(/\$edge_limit_\w+ \{\n(\s+"[^\n]+\n)+\s+\}/g)?.length).toBe(
      EDGE_LIMITS.length,
    );
    expect(conf).toContain("limit_req_status 429;");
  });

  it("are what local/.env.example tells an operator", () => {
    const text = readFileSync(join(repoRoot, "local", ".env.example"), "utf8");
    for (const limit of EDGE_LIMITS)
      expect(text).toContain(
        `# EDGE_LIMIT_${limit.name.toUpperCase()}=${limit.perSecond},${limit.burst}\n`,
      );
  });
});
