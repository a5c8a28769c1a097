// The parts of local eventing that read the manifests: durations, back-off, sinks, errors.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backoffMs } from "../src/eventing/kafka-source.ts";
import { durationMs, loadManifests } from "../src/eventing/manifests.ts";
import { topology } from "../src/eventing/topology.ts";
import { repoRoot } from "../src/paths.ts";

const dir = mkdtempSync(join(tmpdir(), "manifests-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ISO 8601 durations and back-off", () => {
  it.each([
    ["PT0.2S", 200],
    ["PT1M", 60_000],
    ["PT1H30M", 5_400_000],
    ["P1D", 86_400_000],
  ])("%s is %i ms", (iso, ms) => expect(durationMs(iso)).toBe(ms));

  it.each(["", "P", "PT", "1S", "PT-1S", "soon"])("refuses %j", (iso) =>
    expect(() => durationMs(iso)).toThrow(),
  );

  it("backs off linearly or exponentially as Knative does", () => {
    const linear = { backoffPolicy: "linear" as const, backoffDelay: "PT0.1S" };
    const exponential = { backoffPolicy: "exponential" as const, backoffDelay: "PT0.1S" };
    expect([1, 2, 3].map((n) => backoffMs(linear, n))).toEqual([100, 200, 300]);
    expect([1, 2, 3].map((n) => backoffMs(exponential, n))).toEqual([100, 200, 400]);
  });
});

describe("the platform's own manifests", () => {
  it("parse, and every sink resolves to a Service or KafkaSink they define", () => {
    const manifests = loadManifests([join(repoRoot, "knative")]);
    const layout = topology(manifests, 8100);
    expect(layout.services.map((s) => s.name)).toContain("ingress");
    // The stateful tier, the edge and their Kubernetes Services are not functions.
    for (const name of ["stream-server", "edge", "stream-server-rtmp"])
      expect(layout.services.map((s) => s.name)).not.toContain(name);
    // Read for their annotations only (the edge paths they serve).
    expect(manifests.kubernetesServices.map((s) => s.metadata.name).sort()).toEqual([
      "edge",
      "stream-server",
      "stream-server-rtmp",
    ]);
    for (const source of [...manifests.kafkaSources, ...manifests.pingSources]) {
      expect(() => layout.resolve(source.spec.sink), source.metadata.name).not.toThrow();
    }
    for (const source of manifests.kafkaSources) {
      const deadLetter = source.spec.delivery?.deadLetterSink;
      if (deadLetter)
        expect(layout.resolve(deadLetter)).toEqual({ kind: "kafka", topic: "dead-letter" });
    }
    // Ports follow the names, so NGINX and the runtime agree.
    expect(new Set(layout.services.map((s) => s.port)).size).toBe(layout.services.length);
  });
});

describe("bad manifests", () => {
  it("name the file, the kind and the field", () => {
    writeFileSync(
      join(dir, "broken.yaml"),
      "apiVersion: sources.knative.dev/v1beta1\nkind: KafkaSource\nmetadata:\n  name: x\nspec:\n  topics: []\n  sink:\n    uri: http://x\n",
    );
    expect(() => loadManifests([dir])).toThrow(/broken\.yaml: KafkaSource: spec\.topics/);
  });

  it("refuse a sink that names nothing defined", () => {
    rmSync(join(dir, "broken.yaml"));
    const manifests = loadManifests([dir]);
    expect(() =>
      topology(manifests, 9000).resolve({ ref: { kind: "Service", name: "nowhere" } }),
    ).toThrow(/no Knative Service named "nowhere"/);
  });
});
