// Every file of knative/ (the Secret template included) as a real Kubernetes API server takes
// it: `kubectl apply --server-side --dry-run=server` of each object, with the Knative CRDs the
// manifests use installed from schemas/knative/. The API server checks what a schema file
// cannot: core kinds against Kubernetes' own OpenAPI, unknown fields (strict), defaulting and
// admission. `npm run test:manifests` (local/src/deploy/apiserver.ts starts etcd and the API
// server on 127.0.0.1 and removes them afterwards).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  type ApiServer,
  type KubeObject,
  startApiServer,
} from "../../local/src/deploy/apiserver.ts";
import { CHART_DIR } from "../../local/src/deploy/helm-chart.ts";
import { helm, kubeconform } from "../../local/src/deploy/tools.ts";
import { repoRoot } from "../../local/src/paths.ts";

const exec = promisify(execFile);

const objectsOf = (file: string): KubeObject[] =>
  parseAllDocuments(readFileSync(file, "utf8"))
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);

const knativeDir = join(repoRoot, "knative");
/** Every manifest file: what `kubectl apply -f knative/` takes, and the Secret template. */
const files = readdirSync(knativeDir)
  .filter((file) => /\.ya?ml(\.example)?$/.test(file))
  .sort();

let api: ApiServer;
let helmBinary: string;
let kubeconformBinary: string;
/** JSON schemas for kubeconform: the Knative CRDs' and the API server's own (OpenAPI v3). */
let schemaDir: string;
const chart = join(repoRoot, CHART_DIR);

beforeAll(async () => {
  helmBinary = await helm();
  kubeconformBinary = await kubeconform();
  api = await startApiServer();
  const crds = readdirSync(join(repoRoot, "schemas", "knative"))
    .flatMap((file) => objectsOf(join(repoRoot, "schemas", "knative", file)))
    .filter((object) => object.kind === "CustomResourceDefinition");
  await api.installCrds(crds);
  schemaDir = mkdtempSync(join(tmpdir(), "kubeconform-schemas-"));
  await writeSchemas(crds);
});

afterAll(async () => {
  await api?.stop();
  if (schemaDir) rmSync(schemaDir, { recursive: true, force: true });
});

/**
 * Strict, as kubeconform's own `-strict` schemas are: an object that lists its properties takes
 * no others (unless Kubernetes says it keeps unknown fields).
 */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== "object") return node;
  const out = Object.fromEntries(
    Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, strict(v)]),
  );
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out["x-kubernetes-preserve-unknown-fields"]
  )
    out.additionalProperties = false;
  return out;
}

/** Where kubeconform finds a kind's schema: {group, or the version for core}/{kind}_{version}. */
const schemaFile = (group: string, kind: string, version: string) =>
  join(schemaDir, group || version, `${kind.toLowerCase()}_${version}-strict.json`);
const SCHEMA_LOCATION = () =>
  join(
    schemaDir,
    "{{ .Group }}",
    "{{ .ResourceKind }}_{{ .ResourceAPIVersion }}{{ .StrictSuffix }}.json",
  );

async function writeSchemas(crds: KubeObject[]): Promise<void> {
  const write = (file: string, schema: unknown) => {
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, JSON.stringify(schema));
  };
  for (const crd of crds) {
    const spec = crd.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string; schema?: { openAPIV3Schema: object } }[];
    };
    for (const version of spec.versions) {
      if (!version.schema) continue;
      // A CRD's schema may leave out the fields every object has (the API server adds them).
      const root = version.schema.openAPIV3Schema as { properties?: Record<string, object> };
      const properties = {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { type: "object" },
        ...root.properties,
      };
      write(schemaFile(spec.group, spec.names.kind, version.name), strict({ ...root, properties }));
    }
  }
  // Kubernetes' own kinds, from the API server that checks them too.
  for (const path of ["api/v1", "apis/apps/v1", "apis/networking.k8s.io/v1"]) {
    const { body } = await api.call("GET", `/openapi/v3/${path}`);
    const schemas = strict((body.components as { schemas: object }).schemas) as Record<
      string,
      { "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[] }
    >;
    for (const [name, schema] of Object.entries(schemas))
      for (const gvk of schema["x-kubernetes-group-version-kind"] ?? [])
        write(schemaFile(gvk.group, gvk.kind, gvk.version), {
          $ref: `#/components/schemas/${name}`,
          components: { schemas },
        });
  }
}

/** kubeconform -strict over YAML: its exit status and report. */
async function conform(yaml: string): Promise<{ ok: boolean; report: string }> {
  const child = execFile(kubeconformBinary, [
    "-strict",
    "-summary",
    "-output",
    "text",
    "-schema-location",
    SCHEMA_LOCATION(),
    "-",
  ]);
  let report = "";
  child.stdout?.on("data", (chunk) => {
    report += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    report += chunk;
  });
  child.stdin?.end(yaml);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { ok: code === 0, report };
}

describe("a real Kubernetes API server", () => {
  it("accepts every object of every file in knative/ (server-side apply, dry run)", async () => {
    expect(files.length).toBeGreaterThan(10);
    const refused: string[] = [];
    let accepted = 0;
    for (const file of files)
      for (const object of objectsOf(join(knativeDir, file))) {
        const answer = await api.dryRunApply(object);
        if (answer.status >= 300)
          refused.push(
            `${file} ${object.kind} ${object.metadata.name}: ${answer.status} ${answer.body.message}`,
          );
        else accepted++;
      }
    expect(refused).toEqual([]);
    expect(accepted).toBeGreaterThan(20);
  });

  it("accepts what the Helm chart renders, with its defaults and with values set", async () => {
    const lint = await exec(helmBinary, ["lint", "--strict", chart]);
    expect(lint.stdout).toMatch(/0 chart\(s\) failed/);
    const renders = [
      [],
      [
        "--set",
        "image.registry=registry.example.org/sp",
        "--set",
        "image.tag=v2",
        "--set",
        "services.search.minScale=1",
        "--set",
        "services.search.maxScale=10",
        "--set",
        "services.edge.replicas=3",
        "--set",
        "hls.storageClassName=nfs",
        "--set",
        "secrets.existingSecret=sp-secrets",
        "--set",
        "kafka.bootstrapServers=kafka:9092",
      ],
    ];
    for (const values of renders) {
      const { stdout } = await exec(
        helmBinary,
        ["template", "sp", chart, "--namespace", "default", ...values],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const objects = parseAllDocuments(stdout)
        .map((doc) => doc.toJS() as KubeObject | null)
        .filter((object): object is KubeObject => object !== null);
      // The chart holds every object of knative/ (but the Secret: it is referred to by name).
      const inKnative = files
        .filter((file) => file.endsWith(".yaml"))
        .flatMap((file) => objectsOf(join(knativeDir, file)));
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
        inKnative.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
      );
      const conformed = await conform(stdout);
      expect(conformed.ok, conformed.report).toBe(true);
      expect(conformed.report).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
      const refused: string[] = [];
      for (const object of objects) {
        const answer = await api.dryRunApply(object);
        if (answer.status >= 300)
          refused.push(
            `${object.kind} ${object.metadata.name}: ${answer.status} ${answer.body.message}`,
          );
      }
      expect(refused, values.join(" ")).toEqual([]);
      if (values.length > 0) {
        const text = stdout;
        expect(text).toContain("registry.example.org/sp/functions:v2");
        expect(text).toContain('storageClassName: "nfs"');
        expect(text).toContain('name: "sp-secrets"');
        expect(text).not.toContain("platform-secrets");
      }
    }
  });

  it("accepts deploy/openfaas/servers.yaml: the gRPC servers, stream-server and the edge beside OpenFaaS", async () => {
    const objects = objectsOf(join(repoRoot, "deploy", "openfaas", "servers.yaml"));
    // The namespace for real (a dry run of it stores nothing), so that what lives in it can be
    // checked; then every object, the Namespace too, as `kubectl apply -f` would send it.
    const namespace = objects.find((object) => object.kind === "Namespace") as KubeObject;
    const created = await api.call("POST", "/api/v1/namespaces", namespace);
    expect([201, 409]).toContain(created.status);
    const refused: string[] = [];
    for (const object of objects) {
      const answer = await api.dryRunApply(object);
      if (answer.status >= 300)
        refused.push(
          `${object.kind} ${object.metadata.name}: ${answer.status} ${answer.body.message}`,
        );
    }
    expect(refused).toEqual([]);
    expect(objects.filter((object) => object.kind === "Deployment").length).toBeGreaterThan(3);
    const conformed = await conform(
      readFileSync(join(repoRoot, "deploy", "openfaas", "servers.yaml"), "utf8"),
    );
    expect(conformed.ok, conformed.report).toBe(true);
    expect(conformed.report).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
  });

  it("passes kubeconform -strict, knative/ as it is, and fails it when wrong", async () => {
    const text = files
      .filter((file) => file.endsWith(".yaml"))
      .map((file) => readFileSync(join(knativeDir, file), "utf8"))
      .join("\n---\n");
    const conformed = await conform(text);
    expect(conformed.ok, conformed.report).toBe(true);
    expect(conformed.report).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
    const deployment = objectsOf(join(knativeDir, "edge.yaml")).find(
      (object) => object.kind === "Deployment",
    ) as KubeObject & { spec: Record<string, unknown> };
    expect(
      (await conform(JSON.stringify({ ...deployment, spec: { ...deployment.spec, replica: 2 } })))
        .ok,
    ).toBe(false);
    const service = objectsOf(join(knativeDir, "search.yaml"))[0] as KubeObject & { spec: object };
    expect(
      (await conform(JSON.stringify({ ...service, spec: { ...service.spec, scale: 2 } }))).ok,
    ).toBe(false);
  });

  it("refuses what is wrong, and a dry run stores nothing: the check can fail", async () => {
    const deployment = objectsOf(join(knativeDir, "edge.yaml")).find(
      (object) => object.kind === "Deployment",
    ) as KubeObject & { spec: Record<string, unknown> };
    const wrongType = await api.dryRunApply({
      ...deployment,
      spec: { ...deployment.spec, replicas: "two" },
    });
    expect(wrongType.status).toBeGreaterThanOrEqual(400);
    const unknownField = await api.dryRunApply({
      ...deployment,
      spec: { ...deployment.spec, replica: 2 },
    });
    expect(unknownField.status, JSON.stringify(unknownField.body)).toBeGreaterThanOrEqual(400);
    const source = objectsOf(join(knativeDir, "search.yaml")).find(
      (object) => object.kind === "KafkaSource",
    ) as KubeObject & { spec: Record<string, unknown> };
    const badSource = await api.dryRunApply({
      ...source,
      spec: { ...source.spec, topics: "events" },
    });
    expect(badSource.status).toBeGreaterThanOrEqual(400);
    expect(
      (await api.call("GET", "/apis/apps/v1/namespaces/default/deployments/edge")).status,
    ).toBe(404);
  });
});
