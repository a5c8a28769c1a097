// deploy/openfaas/servers.yaml: what an OpenFaaS cluster runs besides stack.yml's functions,
// generated from knative/ like the rest. The gRPC servers (HTTP/2, which OpenFaaS's gateway does
// not carry), stream-server (stateful) and the edge are Deployments in the `stream-platform`
// namespace, the one deploy/openfaas/platform.yml's addresses name; the edge sends every API route
// through the OpenFaaS gateway (/function/<name>), so functions scale from zero as their calls come.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { envOf, type KnativeService, type Manifests } from "../eventing/manifests.ts";
import { repoRoot } from "../paths.ts";
import { EDGE_LIMITS, requestLimits } from "../servers/edge-limits.ts";
import { edgeLocations, edgeRoutes } from "../servers/edge-routes.ts";
import { renderEdgeConfig } from "../servers/nginx.ts";
import { EDGE_IMAGE_PATHS, edgeImageTransport, edgeObjects, PART_OF } from "./edge-objects.ts";

export const OPENFAAS_NAMESPACE = "stream-platform";
const GATEWAY = "gateway.openfaas:8080";
const GATEWAY_UPSTREAM = "openfaas_gateway";
const PORT = 8080;

type Env = { name: string; value?: string; valueFrom?: unknown };
type Doc = Record<string, unknown> & {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

/** The server addresses of deploy/openfaas/platform.yml (faas-cli's environment_file). */
function platformEnvironment(): Record<string, string> {
  const file = readFileSync(join(repoRoot, "deploy", "openfaas", "platform.yml"), "utf8");
  return (parse(file) as { environment: Record<string, string> }).environment;
}

/**
 * A knative/ address as the OpenFaaS cluster has it: a gRPC server is a Service of this
 * namespace; a function is reached through the gateway.
 */
function offKnative(value: string, grpc: Set<string>): string {
  return value.replace(
    /\b([a-z][a-z0-9-]*)\.default\.svc\.cluster\.local(?::80)?/g,
    (_all, name: string) => (grpc.has(name) ? `${name}:${PORT}` : `${GATEWAY}/function/${name}`),
  );
}

const isGrpc = (service: KnativeService) => envOf(service).GRPC_SOURCE !== undefined;

/** A container's env: the platform's addresses win over knative/'s, the rest made OpenFaaS's. */
function rewriteEnv(env: Env[], grpc: Set<string>): Env[] {
  const platform = platformEnvironment();
  const rewritten = env
    .filter((variable) => !variable.name.startsWith("SINK_OIDC_"))
    .map((variable) =>
      variable.name in platform
        ? { name: variable.name, value: platform[variable.name] }
        : variable.value === undefined
          ? variable
          : { name: variable.name, value: offKnative(variable.value, grpc) },
    );
  for (const variable of rewritten)
    if (variable.value?.includes(".svc.cluster.local") || variable.value?.includes(".kafka:"))
      throw new Error(
        `deploy/openfaas: ${variable.name}=${variable.value} names a knative/ address; give it a value in deploy/openfaas/platform.yml`,
      );
  return rewritten;
}

/** Every object of knative/ as written (Manifests keeps only what eventing reads of them). */
function knativeObjects(): Doc[] {
  const dir = join(repoRoot, "knative");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), "utf8"))
        .map((document) => document.toJS() as Doc | null)
        .filter((doc): doc is Doc => doc !== null),
    );
}

/** A gRPC server of knative/ as a Deployment and a Service of port 8080. */
function grpcServer(name: string, grpc: Set<string>): Doc[] {
  const service = knativeObjects().find(
    (doc) => doc.kind === "Service" && doc.metadata.name === name,
  ) as Doc & {
    spec: { template: { spec: { containers: (Record<string, unknown> & { env?: Env[] })[] } } };
  };
  const container = service.spec.template.spec.containers[0] as Record<string, unknown> & {
    env?: Env[];
  };
  const { envFrom: _config, ...rest } = container;
  const labels = { "app.kubernetes.io/name": name, ...PART_OF };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: OPENFAAS_NAMESPACE, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
            containers: [
              {
                name,
                ...rest,
                // knative/'s platform-config (envFrom) holds the addresses: here they are set.
                env: [
                  ...rewriteEnv(container.env ?? [], grpc),
                  ...Object.entries(platformEnvironment()).map(([variable, value]) => ({
                    name: variable,
                    value,
                  })),
                  { name: "PORT", value: String(PORT) },
                ],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: OPENFAAS_NAMESPACE, labels: PART_OF },
      spec: {
        selector: { "app.kubernetes.io/name": name },
        ports: [{ name: "grpc", port: PORT, targetPort: PORT, appProtocol: "kubernetes.io/h2c" }],
      },
    },
  ];
}

/** knative/stream-server.yaml in this namespace, its addresses the OpenFaaS cluster's. */
function streamServer(grpc: Set<string>): Doc[] {
  const text = readFileSync(join(repoRoot, "knative", "stream-server.yaml"), "utf8");
  return parseAllDocuments(text).map((document) => {
    const doc = document.toJS() as Doc;
    doc.metadata = { ...doc.metadata, namespace: OPENFAAS_NAMESPACE };
    const annotations = (doc.metadata as { annotations?: Record<string, string> }).annotations;
    // The edge's routes are knative/'s business; here they are in the edge's config already.
    if (annotations) delete annotations["streamplatform.dev/edge-paths"];
    if (doc.kind === "Deployment") {
      const spec = (doc.spec as { template: { spec: { containers: { env: Env[] }[] } } }).template
        .spec;
      for (const container of spec.containers) container.env = rewriteEnv(container.env, grpc);
    }
    return doc;
  });
}

/** The edge's NGINX config: local/'s template, every API route through the OpenFaaS gateway. */
export function openfaasEdgeConfig(manifests: Manifests): string {
  return renderEdgeConfig({
    ...EDGE_IMAGE_PATHS,
    UPSTREAMS: `  upstream ${GATEWAY_UPSTREAM} {\n    server ${GATEWAY};\n    keepalive 64;\n  }`,
    STREAM_SERVER: `stream-server.${OPENFAAS_NAMESPACE}:8091`,
    REQUEST_LIMITS: requestLimits(EDGE_LIMITS),
    // HTTPS and RTMPS with the edge-tls Secret's certificate; plain RTMP reaches stream-server
    // by its own Service (stream-server-rtmp).
    ...edgeImageTransport({ rtmpUpstream: `stream-server.${OPENFAAS_NAMESPACE}:1937` }),
    // The request's own URI, untouched (a proxy_pass with a URI would pass it decoded).
    API_LOCATIONS: edgeLocations(
      edgeRoutes(manifests),
      undefined,
      (service) => `http://${GATEWAY_UPSTREAM}/function/${service}$request_uri`,
    ),
  });
}

export function openfaasServersFile(manifests: Manifests): string {
  const grpcServices = manifests.services.filter(isGrpc);
  const grpc = new Set(grpcServices.map((service) => service.metadata.name));
  const docs: Doc[] = [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: OPENFAAS_NAMESPACE, labels: PART_OF },
    },
    ...[...grpc].sort().flatMap((name) => grpcServer(name, grpc)),
    ...streamServer(grpc),
    ...(edgeObjects(openfaasEdgeConfig(manifests), OPENFAAS_NAMESPACE) as Doc[]),
  ];
  return `# OpenFaaS: what runs beside stack.yml's functions, in the ${OPENFAAS_NAMESPACE} namespace (where
# deploy/openfaas/platform.yml's addresses point): the gRPC servers (HTTP/2, which the gateway does
# not carry), stream-server and the edge (every API route through the gateway's /function/<name>).
# kubectl apply -f deploy/openfaas/servers.yaml, after the platform-secrets Secret in that namespace
# (knative/platform-secrets.yaml.example, with metadata.namespace: ${OPENFAAS_NAMESPACE}).
# Generated from knative/ by \`npm run deploy:generate\`: edit knative/ and run it; a test
# (local/test/deployment.test.ts) fails when this file and knative/ disagree.
${docs.map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n")}`;
}
