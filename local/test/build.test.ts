// The production build (npm run build), which the container image runs: every Service of
// knative/ starts from its bundle under plain node, and the bundled drivers reach the real stores
// (MongoDB, PostgreSQL, Elasticsearch, and gRPC between bundles).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { GrpcStatus } from "@stream-platform/shared";
import { ChannelsClient, EventsClient } from "@stream-platform/shared/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFunctions, NOWHERE } from "../src/deploy/build.ts";
import { FunctionProcess, freePort } from "../src/eventing/functions.ts";
import { loadManifests } from "../src/eventing/manifests.ts";
import { type LocalService, peerAddresses, topology } from "../src/eventing/topology.ts";
import { logDir, repoRoot } from "../src/paths.ts";
import { localSecret } from "../src/servers/platform.ts";

// Inside the repository: the bundles find their external packages in its node_modules.
mkdirSync(join(repoRoot, ".data", "test"), { recursive: true });
const dist = mkdtempSync(join(repoRoot, ".data", "test", "dist-"));
const { services } = topology(loadManifests([join(repoRoot, "knative")]));
// Their gRPC peers are the running platform's.
const peers = peerAddresses(services);
const running: FunctionProcess[] = [];

async function startBundled(service: LocalService, logs = join(logDir, "test")): Promise<string> {
  const fn = new FunctionProcess(service, logs, () => undefined, {
    ...peers,
    JWT_SECRET: localSecret("jwt-secret"),
  });
  running.push(fn);
  await fn.start(await freePort());
  return `127.0.0.1:${fn.port}`;
}

/** The modules of a package that a bundle's top level loads, with the stores pointed nowhere. */
function loadedPackages(bundle: string, name: string): string[] {
  const script = `require(${JSON.stringify(bundle)});
    console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes(${JSON.stringify(`/node_modules/${name}/`)}))));
    process.exit(0);`;
  const run = spawnSync(process.execPath, ["-e", script], {
    env: { ...process.env, ...NOWHERE },
    encoding: "utf8",
    timeout: 30_000,
  });
  return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "null") as string[];
}

const service = (name: string) => {
  const found = services.find((s) => s.name === name);
  if (!found) throw new Error(`no Service ${name} in knative/`);
  return found;
};

beforeAll(async () => {
  await buildFunctions(dist);
  process.env.FUNCTIONS_DIST = dist;
}, 60_000);

afterAll(async () => {
  delete process.env.FUNCTIONS_DIST;
  await Promise.all(running.map((fn) => fn.stop(5000)));
  rmSync(dist, { recursive: true, force: true });
});

describe("production build", () => {
  it("starts every Service of knative/ from its bundle", async () => {
    for (const s of services) {
      const before = running.length;
      await startBundled(s);
      expect(running[before]?.state, s.name).toBe("ready");
    }
  }, 120_000);

  it("writes bundles of ASCII only (V8 keeps them as one-byte strings)", () => {
    const bundle = readFileSync(join(dist, "functions", "analytics", "src", "index.cjs"));
    expect(bundle.findIndex((byte) => byte > 0x7f)).toBe(-1);
  });

  it("keeps the HTTP framework out of a gRPC server's start (~50 ms of its cold start)", () => {
    const loadedFramework = (bundle: string) =>
      loadedPackages(bundle, "@google-cloud/functions-framework");
    const events = join(dist, "functions", "events", "src");
    // An HTTP function registers with the framework, so its bundle loads it: the check sees it.
    expect(loadedFramework(join(events, "index.cjs")).length).toBeGreaterThan(0);
    expect(loadedFramework(join(events, "grpc.cjs"))).toEqual([]);
    expect(loadedFramework(join(dist, "functions", "accounts", "src", "grpc.cjs"))).toEqual([]);
  });

  it("keeps gRPC's library out of an HTTP function's start (~25 ms: it loads on a first call)", () => {
    const functions = join(dist, "functions");
    const httpBundles = readdirSync(functions)
      .map((name) => join(functions, name, "src", "index.cjs"))
      .filter((bundle) => existsSync(bundle));
    expect(httpBundles.length).toBeGreaterThan(5);
    for (const bundle of httpBundles)
      expect(loadedPackages(bundle, "@grpc/grpc-js"), bundle).toEqual([]);
    // A gRPC server's bundle does load it: the check sees it.
    expect(
      loadedPackages(join(functions, "events", "src", "grpc.cjs"), "@grpc/grpc-js").length,
    ).toBeGreaterThan(0);
  });

  it("starts with the compile cache the build filled: host.mjs and the framework", async () => {
    // Node's own account of its cache, in the process's log (a file of this test's own).
    const logs = join(dist, "logs");
    process.env.NODE_DEBUG_NATIVE = "COMPILE_CACHE";
    try {
      await startBundled(service("events"), logs);
    } finally {
      delete process.env.NODE_DEBUG_NATIVE;
    }
    const log = readFileSync(join(logs, "fn-events.log"), "utf8");
    const host = pathToFileURL(join(dist, "host.mjs")).href;
    expect(log).toContain(`V8 code cache for ESM ${host} was accepted`);
    expect(log).toMatch(
      /V8 code cache for CommonJS \S+\/@google-cloud\/functions-framework\/\S+ was accepted/,
    );
  }, 60_000);

  it("serves HTTP from MongoDB, PostgreSQL and Elasticsearch", async () => {
    const events = await startBundled(service("events"));
    const listed = await fetch(`http://${events}/api/events?limit=1`);
    expect(listed.status).toBe(200);
    expect(await listed.json()).toHaveProperty("items");

    const subscriptions = await startBundled(service("accounts"));
    const channel = await fetch(`http://${subscriptions}/api/channels/no-such-channel-anywhere`);
    expect(channel.status).toBe(404);
    expect(channel.headers.get("content-type")).toContain("application/problem+json");

    const search = await startBundled(service("search"));
    const found = await fetch(`http://${search}/api/search?q=anything`);
    expect(found.status).toBe(200);
    expect(await found.json()).toHaveProperty("hits");
  }, 60_000);

  it("serves gRPC with the contracts it carries", async () => {
    const eventsClient = new EventsClient(await startBundled(service("events-grpc")));
    const channelsClient = new ChannelsClient(await startBundled(service("accounts-grpc")));
    try {
      await expect(eventsClient.getEvent("evt_doesnotexist0000")).rejects.toMatchObject({
        code: GrpcStatus.NOT_FOUND,
      });
      await expect(channelsClient.authorizePublish("not-a-key")).rejects.toMatchObject({
        code: GrpcStatus.PERMISSION_DENIED,
      });
    } finally {
      eventsClient.close();
      channelsClient.close();
    }
  }, 60_000);
});
