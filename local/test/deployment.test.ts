// The deployment files, checked without a cluster: every manifest in knative/ against the
// OpenAPI v3 schema of its kind and version in the Knative CRDs (schemas/knative),
// docker-compose.yml against the Compose specification (schemas/compose), and what a production
// deployment needs of each Service and KafkaSource (probes, resources, config and secrets, scale
// to zero, delivery).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { EDGE_IMAGE_PORTS, EDGE_IMAGE_TLS, EDGE_TLS_SECRET } from "../src/deploy/edge-objects.ts";
import { generated } from "../src/deploy/generate.ts";
import { repoRoot } from "../src/paths.ts";
import { edgeTls } from "../src/servers/tls.ts";

const schemas = join(repoRoot, "schemas");
const knativeDir = join(repoRoot, "knative");
// ajv-formats is CommonJS: its default export arrives wrapped.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

interface PodSpec {
  containers: {
    env?: { name: string; value?: string }[];
    volumeMounts: { name: string; mountPath: string }[];
  }[];
  volumes: { name: string; secret?: { secretName: string } }[];
}

/** "group/version:Kind" → the validator of that CRD version's schema. */
function crdValidators(): Map<string, ValidateFunction> {
  // OpenAPI v3 schemas of Kubernetes: `x-kubernetes-*` and formats such as int32 are
  // annotations to Ajv (strict off); `nullable` is understood.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const file of readdirSync(join(schemas, "knative"))) {
    for (const doc of parseAllDocuments(readFileSync(join(schemas, "knative", file), "utf8"))) {
      const crd = doc.toJS() as {
        kind?: string;
        spec?: {
          group: string;
          names: { kind: string };
          versions: { name: string; schema?: { openAPIV3Schema: object } }[];
        };
      } | null;
      if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
      for (const version of crd.spec.versions) {
        if (!version.schema) continue;
        validators.set(
          `${crd.spec.group}/${version.name}:${crd.spec.names.kind}`,
          ajv.compile(version.schema.openAPIV3Schema),
        );
      }
    }
  }
  return validators;
}

function manifests(): { file: string; doc: Manifest }[] {
  return readdirSync(knativeDir)
    .filter((file) => file.endsWith(".yaml"))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(knativeDir, file), "utf8"))
        .map((doc) => doc.toJS() as Manifest | null)
        .filter((doc): doc is Manifest => doc !== null)
        .map((doc) => ({ file, doc })),
    );
}

/** Kinds of Kubernetes itself: no CRD describes them (the API server knows them). */
const CORE = new Set([
  "v1:Service",
  "v1:ConfigMap",
  "v1:PersistentVolumeClaim",
  "apps/v1:Deployment",
  "networking.k8s.io/v1:NetworkPolicy",
]);

interface Container {
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort?: number }[];
  readinessProbe?: object;
  livenessProbe?: object;
  resources?: { requests?: object; limits?: { memory?: string } };
}

/** A Kubernetes memory quantity ("512Mi", "1Gi") in MiB. */
function mebibytes(quantity: string): number {
  const [, amount, unit] = /^(\d+)(Mi|Gi)$/.exec(quantity) ?? [];
  if (!amount) throw new Error(`not a quantity in Mi or Gi: ${quantity}`);
  return Number(amount) * (unit === "Gi" ? 1024 : 1);
}

const all = manifests();
const openfaasServers = parseAllDocuments(
  readFileSync(join(repoRoot, "deploy", "openfaas", "servers.yaml"), "utf8"),
).map((doc) => ({ file: "servers.yaml", doc: doc.toJS() as Manifest }));
const knativeServices = all.filter(
  ({ doc }) => doc.kind === "Service" && doc.apiVersion === "serving.knative.dev/v1",
);
const containerOf = (doc: Manifest) =>
  (doc.spec as { template: { spec: { containers: Container[] } } }).template.spec
    .containers[0] as Container;

describe("knative/ manifests", () => {
  const validators = crdValidators();

  it("each validates against the schema of its kind and version", () => {
    expect(all.length).toBeGreaterThan(10);
    for (const { file, doc } of all) {
      const key = `${doc.apiVersion}:${doc.kind}`;
      if (CORE.has(key)) continue;
      const validate = validators.get(key);
      expect(validate, `${file}: no CRD for ${key}`).toBeDefined();
      const valid = validate?.(doc);
      expect(
        valid,
        `${file} ${doc.kind} ${doc.metadata.name}: ${JSON.stringify(validate?.errors?.slice(0, 3))}`,
      ).toBe(true);
    }
  });

  it("are refused when wrong: the check can fail", () => {
    const validate = validators.get("sources.knative.dev/v1beta1:KafkaSource");
    const source = all.find(({ doc }) => doc.kind === "KafkaSource")?.doc as Manifest;
    expect(validate?.({ ...source, spec: { ...source.spec, topics: "events" } })).toBe(false);
  });

  it("give every Service scale to zero, probes, resources, config and named secrets", () => {
    const configMaps = new Set(
      all.filter(({ doc }) => doc.kind === "ConfigMap").map(({ doc }) => doc.metadata.name),
    );
    for (const { file, doc } of knativeServices) {
      const where = `${file} ${doc.metadata.name}`;
      const annotations =
        (doc.spec as { template: { metadata?: { annotations?: Record<string, string> } } }).template
          .metadata?.annotations ?? {};
      expect(annotations["autoscaling.knative.dev/min-scale"], where).toBe("0");
      expect(Number(annotations["autoscaling.knative.dev/target"]), where).toBeGreaterThan(0);
      const container = containerOf(doc);
      expect(container.readinessProbe, where).toBeDefined();
      expect(container.livenessProbe, where).toBeDefined();
      expect(container.resources?.requests, where).toBeDefined();
      expect(container.resources?.limits, where).toBeDefined();
      for (const ref of container.envFrom ?? [])
        expect(configMaps.has(ref.configMapRef?.name ?? ""), where).toBe(true);
      expect(container.envFrom?.length, where).toBeGreaterThan(0);
      for (const variable of container.env ?? []) {
        // A secret comes from the Secret, never as a literal value.
        if (/SECRET|PASSWORD|DATABASE_URL/.test(variable.name))
          expect(variable.valueFrom?.secretKeyRef?.name, `${where} ${variable.name}`).toBe(
            "platform-secrets",
          );
      }
      if (container.env?.some((v) => v.name === "GRPC_SOURCE"))
        expect(container.ports?.[0]?.name, `${where}: gRPC needs an h2c port`).toBe("h2c");
    }
  });

  it("leave a capped heap room under its container's memory limit", () => {
    // Node sizes its heap to about half of a container's memory by default; a Service that needs
    // more caps it, and the rest of the process (young generation, code, buffers: ~200 MiB
    // measured for the recommendations API) must fit beside it.
    const capped = knativeServices.flatMap(({ file, doc }) => {
      const container = containerOf(doc);
      const options = container.env?.find((v) => v.name === "NODE_OPTIONS")?.value ?? "";
      const heap = /--max-old-space-size=(\d+)/.exec(options)?.[1];
      return heap ? [{ where: `${file} ${doc.metadata.name}`, heap: Number(heap), container }] : [];
    });
    expect(capped.map((c) => c.where)).toContain("recommendations.yaml recommendations");
    for (const { where, heap, container } of capped)
      expect(mebibytes(container.resources?.limits?.memory ?? "0Mi"), where).toBeGreaterThanOrEqual(
        heap + 256,
      );
  });

  it("keep every Knative Service cluster-local: the edge and RTMP are the only ways in", () => {
    for (const { file, doc } of knativeServices)
      expect(
        (doc.metadata as { labels?: Record<string, string> }).labels?.[
          "networking.knative.dev/visibility"
        ],
        `${file} ${doc.metadata.name}`,
      ).toBe("cluster-local");
    const exposed = all
      .filter(({ doc }) => doc.apiVersion === "v1" && doc.kind === "Service")
      .filter(({ doc }) =>
        ["LoadBalancer", "NodePort"].includes((doc.spec as { type?: string }).type ?? ""),
      )
      .map(({ doc }) => doc.metadata.name)
      .sort();
    expect(exposed).toEqual(["edge", "stream-server-rtmp"]);
  });

  it("define every volume, ConfigMap and Secret key they refer to", () => {
    const defined = (kind: string) =>
      new Set(all.filter(({ doc }) => doc.kind === kind).map(({ doc }) => doc.metadata.name));
    const claims = defined("PersistentVolumeClaim");
    const configMaps = defined("ConfigMap");
    const secret = parse(
      readFileSync(join(knativeDir, "platform-secrets.yaml.example"), "utf8"),
    ) as { metadata: { name: string }; stringData: Record<string, string> };
    const refs: { where: string; kind: string; name: string; key?: string }[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) for (const item of node) visit(item, where);
      else if (node && typeof node === "object") {
        const o = node as Record<string, { claimName?: string; name?: string; key?: string }>;
        if (o.persistentVolumeClaim?.claimName)
          refs.push({ where, kind: "claim", name: o.persistentVolumeClaim.claimName });
        if (o.configMap?.name) refs.push({ where, kind: "configMap", name: o.configMap.name });
        if (o.configMapRef?.name)
          refs.push({ where, kind: "configMap", name: o.configMapRef.name });
        if (o.secretKeyRef?.name)
          refs.push({ where, kind: "secret", name: o.secretKeyRef.name, key: o.secretKeyRef.key });
        for (const value of Object.values(o)) visit(value, where);
      }
    };
    for (const { file, doc } of all) visit(doc, `${file} ${doc.metadata.name}`);
    expect(refs.some((r) => r.kind === "claim")).toBe(true);
    for (const ref of refs) {
      if (ref.kind === "claim") expect(claims.has(ref.name), ref.where).toBe(true);
      if (ref.kind === "configMap") expect(configMaps.has(ref.name), ref.where).toBe(true);
      if (ref.kind === "secret") {
        expect(ref.name, ref.where).toBe(secret.metadata.name);
        expect(Object.keys(secret.stringData), ref.where).toContain(ref.key);
      }
    }
  });

  it.each([
    ["knative/edge.yaml", all],
    ["deploy/openfaas/servers.yaml", openfaasServers],
  ])("give the edge an nginx.conf that NGINX accepts (%s)", (_file, docs) => {
    const config = docs.find(
      ({ doc }) => doc.kind === "ConfigMap" && doc.metadata.name === "edge-nginx",
    )?.doc as unknown as { data: Record<string, string> };
    const dir = mkdtempSync(join(tmpdir(), "edge-conf-"));
    try {
      // The cluster's names do not resolve here, and its paths belong to the image (the
      // certificate, from the edge-tls Secret there, is local/'s here).
      const text = (config.data["nginx.conf"] as string)
        .replace(/[\w-]+\.default\.svc\.cluster\.local/g, "127.0.0.1")
        .replace(/(gateway\.openfaas|[\w-]+\.stream-platform)(?=:\d)/g, "127.0.0.1")
        .replaceAll("/var/cache/nginx", dir)
        .replaceAll("/var/log/nginx", dir)
        .replaceAll(EDGE_IMAGE_TLS.cert, edgeTls().cert)
        .replaceAll(EDGE_IMAGE_TLS.key, edgeTls().key);
      writeFileSync(join(dir, "nginx.conf"), text);
      // NGINX makes its temp directories but not their parent: the image must have it.
      expect(readFileSync(join(repoRoot, "Dockerfile"), "utf8")).toMatch(
        /mkdir -p \/var\/cache\/nginx\/tmp /,
      );
      mkdirSync(join(dir, "tmp"));
      const result = spawnSync("nginx", ["-t", "-p", dir, "-c", join(dir, "nginx.conf")], {
        encoding: "utf8",
      });
      expect(result.status, result.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ["knative/edge.yaml and knative/stream-server.yaml", all],
    ["deploy/openfaas/servers.yaml", openfaasServers],
  ])(
    "serve HTTPS and RTMPS with the edge-tls Secret, RTMPS reaching stream-server's PROXY port from the edge only (%s)",
    (_file, docs) => {
      const find = (kind: string, name: string) =>
        docs.find(({ doc }) => doc.kind === kind && doc.metadata.name === name)?.doc as Manifest;
      const conf = (find("ConfigMap", "edge-nginx") as unknown as { data: Record<string, string> })
        .data["nginx.conf"] as string;
      expect(conf).toContain(`listen 0.0.0.0:${EDGE_IMAGE_PORTS.https} ssl;`);
      const stream = conf.split(/^stream \{/m)[1] ?? "";
      expect(stream).toMatch(new RegExp(`listen ${EDGE_IMAGE_PORTS.rtmps} ssl;`));
      expect(stream).toMatch(/server stream-server\.[\w.-]+:1937;/);
      expect(stream).toContain("proxy_protocol on;");
      for (const file of [EDGE_IMAGE_TLS.cert, EDGE_IMAGE_TLS.key]) expect(conf).toContain(file);

      // The Deployment mounts the Secret where the config looks; the Service offers both ports.
      const pod = (find("Deployment", "edge").spec as { template: { spec: PodSpec } }).template
        .spec;
      const tlsVolume = pod.volumes.find((v) => v.secret?.secretName === EDGE_TLS_SECRET);
      expect(tlsVolume).toBeDefined();
      const mount = pod.containers[0]?.volumeMounts.find((m) => m.name === tlsVolume?.name);
      expect(EDGE_IMAGE_TLS.cert.startsWith(`${mount?.mountPath}/`)).toBe(true);
      const edgePorts = (find("Service", "edge").spec as { ports: { port: number }[] }).ports;
      expect(edgePorts.map((p) => p.port)).toEqual(
        expect.arrayContaining([80, 443, EDGE_IMAGE_PORTS.rtmps]),
      );

      // stream-server takes PROXY headers on 1937 (its Service offers it to the edge) ...
      const server = find("Deployment", "stream-server").spec as {
        template: { spec: PodSpec };
      };
      const env = server.template.spec.containers[0]?.env ?? [];
      expect(env.find((e) => e.name === "RTMP_PROXY_PORT")?.value).toBe("1937");
      expect(env.find((e) => e.name === "RTMP_PROXY_TRUSTED")?.value).toBeTruthy();
      const internal = (find("Service", "stream-server").spec as { ports: { port: number }[] })
        .ports;
      expect(internal.map((p) => p.port)).toContain(1937);
      // ... which only the edge's pods may reach (whoever reached it could pose as any address).
      const policy = find("NetworkPolicy", "stream-server-ingress").spec as {
        podSelector: { matchLabels: Record<string, string> };
        ingress: {
          from?: { podSelector: { matchLabels: Record<string, string> } }[];
          ports: { port: string }[];
        }[];
      };
      expect(policy.podSelector.matchLabels["app.kubernetes.io/name"]).toBe("stream-server");
      for (const rule of policy.ingress) {
        const ports = rule.ports.map((p) => p.port);
        if (rule.from === undefined) expect(ports).toEqual(["rtmp"]);
        else
          expect(rule.from.map((f) => f.podSelector.matchLabels["app.kubernetes.io/name"])).toEqual(
            ["edge"],
          );
      }
      expect(policy.ingress.some((r) => r.ports.some((p) => p.port === "rtmp-proxy"))).toBe(true);
    },
  );

  it("give every KafkaSource its group, a sink that exists, retries and a dead letter (but the dead letters' own)", () => {
    const names = new Set(knativeServices.map(({ doc }) => doc.metadata.name));
    const sources = all.filter(({ doc }) => doc.kind === "KafkaSource");
    expect(sources.length).toBeGreaterThan(0);
    for (const { file, doc } of sources) {
      const spec = doc.spec as {
        consumerGroup?: string;
        sink: { ref: { name: string } };
        delivery?: { retry?: number; deadLetterSink?: object };
      };
      const where = `${file} ${doc.metadata.name}`;
      expect(spec.consumerGroup, where).toBeTruthy();
      expect(names.has(spec.sink.ref.name), where).toBe(true);
      expect(spec.delivery?.retry, where).toBeGreaterThan(0);
      // The dead letters' own recorder has none (it would overwrite why the event failed):
      // it is retried for over an hour instead.
      if ((doc.spec as { topics: string[] }).topics.includes("dead-letter"))
        expect(spec.delivery?.retry, where).toBeGreaterThanOrEqual(100);
      else expect(spec.delivery?.deadLetterSink, where).toBeDefined();
    }
    expect(all.some(({ doc }) => doc.kind === "PingSource")).toBe(true);
  });
});

describe("docker-compose.yml", () => {
  it("validates against the Compose specification", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // Its `$schema` names draft-07 by an https URL Ajv does not know by that name.
    const { $schema: _, ...spec } = JSON.parse(
      readFileSync(join(schemas, "compose", "compose-spec.json"), "utf8"),
    ) as Record<string, unknown>;
    const validate = ajv.compile(spec);
    const compose = parse(readFileSync(join(repoRoot, "docker-compose.yml"), "utf8"));
    expect(validate(compose), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(validate({ services: { web: { ports: 5 } } })).toBe(false);
  });
});

describe("OpenFaaS (stack.yml and deploy/openfaas/servers.yaml)", () => {
  it("runs every gRPC server, stream-server and the edge beside the functions, at the addresses platform.yml names", () => {
    const deployments = openfaasServers.filter(({ doc }) => doc.kind === "Deployment");
    const grpc = knativeServices
      .filter(({ doc }) => containerOf(doc).env?.some((v) => v.name === "GRPC_SOURCE"))
      .map(({ doc }) => doc.metadata.name);
    expect(grpc.length).toBeGreaterThan(0);
    expect(deployments.map(({ doc }) => doc.metadata.name).sort()).toEqual(
      [...grpc, "edge", "stream-server"].sort(),
    );
    const platform = (
      parse(readFileSync(join(repoRoot, "deploy", "openfaas", "platform.yml"), "utf8")) as {
        environment: Record<string, string>;
      }
    ).environment;
    for (const name of grpc) {
      const address = platform[`SERVICE_${name.replace(/-grpc$/, "").toUpperCase()}_GRPC_ADDRESS`];
      const [host, port] = (address as string).split(":");
      const service = openfaasServers.find(
        ({ doc }) => doc.kind === "Service" && doc.metadata.name === name,
      )?.doc as unknown as { metadata: { namespace: string }; spec: { ports: { port: number }[] } };
      expect(`${name}.${service.metadata.namespace}`).toBe(host);
      expect(service.spec.ports.map((p) => String(p.port))).toContain(port);
    }
    // Nothing points at knative/'s names, which do not exist on an OpenFaaS cluster.
    expect(readFileSync(join(repoRoot, "deploy", "openfaas", "servers.yaml"), "utf8")).not.toMatch(
      /\.default\.svc|kafka-bootstrap/,
    );
    // Every API route goes through the gateway (scale from zero happens there).
    const config = openfaasServers.find(({ doc }) => doc.kind === "ConfigMap")?.doc as unknown as
      | { data: Record<string, string> }
      | undefined;
    // (The stream {} block after http {} carries RTMPS to stream-server.)
    const conf = (config?.data["nginx.conf"] ?? "").split(/^stream \{/m)[0] as string;
    const passes = [...conf.matchAll(/proxy_pass (\S+);/g)].map((m) => m[1] as string);
    const toFunctions = passes.filter((target) => !target.includes("stream-server"));
    expect(toFunctions.length).toBeGreaterThan(10);
    for (const target of toFunctions)
      expect(target).toMatch(/^http:\/\/openfaas_gateway\/function\/[a-z-]+\$request_uri$/);
  });
});

describe("one source of truth", () => {
  it("stack.yml, docker-compose.yml and the Compose edge are what knative/ generates", () => {
    for (const [file, text] of Object.entries(generated()))
      expect(
        readFileSync(join(repoRoot, file), "utf8"),
        `${file} is stale: run npm run deploy:generate`,
      ).toBe(text);
  });

  it("each function has the same target and topics in knative/, stack.yml and docker-compose.yml", () => {
    const stack = parse(readFileSync(join(repoRoot, "stack.yml"), "utf8")) as {
      functions: Record<
        string,
        { environment: Record<string, string>; annotations?: { topic?: string; schedule?: string } }
      >;
    };
    const compose = parse(readFileSync(join(repoRoot, "docker-compose.yml"), "utf8")) as {
      services: Record<string, { environment: Record<string, string> }>;
    };
    const sources = all
      .filter(({ doc }) => doc.kind === "KafkaSource")
      .map(
        ({ doc }) =>
          doc.spec as {
            topics: string[];
            sink: { ref: { name: string } };
          },
      );
    const pings = all
      .filter(({ doc }) => doc.kind === "PingSource")
      .map(({ doc }) => doc.spec as { schedule: string; sink: { ref: { name: string } } });
    expect(pings.length).toBeGreaterThan(0);
    for (const { doc } of knativeServices) {
      const name = doc.metadata.name;
      const env = Object.fromEntries(
        (containerOf(doc).env ?? []).flatMap((v) =>
          v.value === undefined ? [] : [[v.name, v.value]],
        ),
      );
      const target = env.GRPC_SOURCE ?? `${env.FUNCTION_SOURCE}#${env.FUNCTION_TARGET}`;
      const inCompose = compose.services[name]?.environment;
      expect(
        inCompose?.GRPC_SOURCE ?? `${inCompose?.FUNCTION_SOURCE}#${inCompose?.FUNCTION_TARGET}`,
        name,
      ).toBe(target);
      if (env.GRPC_SOURCE) continue; // OpenFaaS functions speak HTTP/1.1: gRPC runs as a Deployment
      const fn = stack.functions[name];
      expect(`${fn?.environment.FUNCTION_SOURCE}#${fn?.environment.FUNCTION_TARGET}`, name).toBe(
        target,
      );
      const topics = sources.filter((s) => s.sink.ref.name === name).flatMap((s) => s.topics);
      const ping = pings.find((p) => p.sink.ref.name === name);
      // The cron connector runs a PingSource's target; the Kafka connector a KafkaSource's.
      expect(fn?.annotations?.topic?.split(",") ?? [], name).toEqual(
        ping ? ["cron-function"] : topics,
      );
      expect(fn?.annotations?.schedule, name).toBe(ping?.schedule);
    }
  });
});
