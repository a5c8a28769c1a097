// Every file of knative/ (the Secret template included) as a real Kubernetes API server takes
// it: `kubectl apply --server-side --dry-run=server` of each object, with the Knative CRDs the
// manifests use installed from schemas/knative/. The API server checks what a schema file
// cannot: core kinds against Kubernetes' own OpenAPI, unknown fields (strict), defaulting and
// admission. `npm run test:manifests` (local/src/deploy/apiserver.ts starts etcd and the API
// server on 127.0.0.1 and removes them afterwards).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  type ApiServer,
  type KubeObject,
  startApiServer,
} from "../../local/src/deploy/apiserver.ts";
import { repoRoot } from "../../local/src/paths.ts";

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

beforeAll(async () => {
  api = await startApiServer();
  const crds = readdirSync(join(repoRoot, "schemas", "knative"))
    .flatMap((file) => objectsOf(join(repoRoot, "schemas", "knative", file)))
    .filter((object) => object.kind === "CustomResourceDefinition");
  await api.installCrds(crds);
});

afterAll(async () => {
  await api?.stop();
});

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
