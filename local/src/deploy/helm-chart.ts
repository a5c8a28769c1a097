// deploy/helm/stream-platform: the Helm chart, generated from knative/ so the two cannot drift
// (`npm run deploy:generate` writes it; local/test/deployment.test.ts fails when it is stale).
// Each file of knative/ becomes a template with the same objects, in which what differs between
// installations comes from values: images and tag, scale bounds and replicas, the Secret's name
// (secrets by reference: the chart never holds one), the HLS volume's storage class and size,
// the external Kafka, MongoDB and Elasticsearch addresses, and the namespace in cluster names.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { repoRoot } from "../paths.ts";
import { EDGE_TLS_SECRET } from "./edge-objects.ts";

export const CHART_DIR = "deploy/helm/stream-platform";

const REGISTRY = "ghcr.io/stream-platform";
const KAFKA = "kafka-bootstrap.kafka:9092";
const SECRET = "platform-secrets";
const MIN_SCALE = "autoscaling.knative.dev/min-scale";
const MAX_SCALE = "autoscaling.knative.dev/max-scale";
const STORAGE_CLASS = "__HELM_STORAGE_CLASS__";

type Json = Record<string, unknown>;

/** A knative/ object with template expressions in place of the values an installation sets. */
function templated(object: Json, expressions: string[]): Json {
  const token = (expression: string) => {
    expressions.push(expression);
    return `__HELM_${expressions.length - 1}__`;
  };
  const name = (object.metadata as { name: string }).name;
  const service = JSON.stringify(name);
  const visit = (node: unknown, key?: string): unknown => {
    if (Array.isArray(node)) return node.map((item) => visit(item, key));
    if (typeof node === "string") {
      const image = new RegExp(`^${REGISTRY}/([\\w-]+):latest$`).exec(node);
      if (image)
        return token(
          `{{ printf "%s/${image[1]}:%s" .Values.image.registry .Values.image.tag | quote }}`,
        );
      if (node === KAFKA) return token("{{ .Values.kafka.bootstrapServers | quote }}");
      return node;
    }
    if (!node || typeof node !== "object") return node;
    const out: Json = {};
    for (const [k, value] of Object.entries(node as Json)) {
      if (k === "secretKeyRef" && (value as Json).name === SECRET)
        out[k] = {
          ...(value as Json),
          name: token("{{ .Values.secrets.existingSecret | quote }}"),
        };
      else if (k === "secretName" && value === EDGE_TLS_SECRET)
        out[k] = token("{{ .Values.secrets.edgeTlsSecret | quote }}");
      else out[k] = visit(value, k);
    }
    return out;
  };
  const result = visit(object) as Json;
  const kind = `${object.apiVersion}/${object.kind}`;
  if (kind === "serving.knative.dev/v1/Service") {
    const template = (result.spec as { template: { metadata: { annotations: Json } } }).template;
    const annotations = template.metadata.annotations;
    for (const [annotation, key, fallback] of [
      [MIN_SCALE, "minScale", "0"],
      // 0: no upper bound (Knative's default).
      [MAX_SCALE, "maxScale", "0"],
    ] as const)
      annotations[annotation] = token(
        `{{ dig ${service} "${key}" ${JSON.stringify(annotations[annotation] ?? fallback)} .Values.services | quote }}`,
      );
  }
  if (kind === "apps/v1/Deployment") {
    const spec = result.spec as Json;
    spec.replicas = token(`{{ dig ${service} "replicas" ${spec.replicas} .Values.services }}`);
  }
  if (kind === "v1/PersistentVolumeClaim") {
    const spec = result.spec as { resources: { requests: Json }; storageClassName?: string };
    spec.resources.requests.storage = token("{{ .Values.hls.size | quote }}");
    // A line of its own, left out when unset: the cluster's default class.
    spec.storageClassName = STORAGE_CLASS;
  }
  if (kind === "v1/ConfigMap" && name === "platform-config") {
    const data = result.data as Json;
    data.MONGODB_URL = token("{{ .Values.mongodb.url | quote }}");
    data.ELASTICSEARCH_URL = token("{{ .Values.elasticsearch.url | quote }}");
    data.PUBLIC_URL = token("{{ .Values.publicUrl | quote }}");
    data.MAIL_FROM = token("{{ .Values.mail.from | quote }}");
    data.SINK_OIDC_ISSUER = token("{{ .Values.serviceAccountIssuer | quote }}");
  }
  return result;
}

/** One chart template: the objects of a knative/ file (its text `source`), values in place. */
function chartTemplate(file: string, source: string): string {
  const expressions: string[] = [];
  const docs = parseAllDocuments(source)
    .map((doc) => doc.toJS() as Json | null)
    .filter((doc): doc is Json => doc !== null)
    .map((doc) => stringify(templated(doc, expressions), { lineWidth: 0 }));
  const text = docs
    .join("---\n")
    // Cluster names carry the release's namespace (knative/ says default), and so do the sinks'
    // OIDC audiences and senders; the API server's own name (kubernetes.default) stays.
    .replace(/(?<!\bkubernetes)\.default\.svc/g, ".{{ .Release.Namespace }}.svc")
    .replaceAll(
      "serving.knative.dev/service/default/",
      "serving.knative.dev/service/{{ .Release.Namespace }}/",
    )
    .replaceAll("system:serviceaccount:default:", "system:serviceaccount:{{ .Release.Namespace }}:")
    .replace(
      new RegExp(`^( *)storageClassName: ${STORAGE_CLASS}$`, "m"),
      "$1{{- with .Values.hls.storageClassName }}\n$1storageClassName: {{ . | quote }}\n$1{{- end }}",
    )
    .replace(/"?__HELM_(\d+)__"?/g, (_, index: string) => expressions[Number(index)] as string);
  return `# Generated from knative/${file} by \`npm run deploy:generate\`: edit knative/ and run it.\n${text}`;
}

const chartYaml = `# Generated by \`npm run deploy:generate\` (local/src/deploy/helm-chart.ts).
apiVersion: v2
name: stream-platform
description: The stream platform on Knative Serving and Eventing (Kafka), as knative/ defines it
type: application
version: 0.1.0
appVersion: "0.1.0"
`;

const valuesYaml = `# Generated by \`npm run deploy:generate\` (local/src/deploy/helm-chart.ts); the defaults are
# knative/'s. helm install stream-platform deploy/helm/stream-platform --set image.tag=…

# Every image is {registry}/{functions|stream-server|edge}:{tag} (Dockerfile targets).
image:
  registry: ${REGISTRY}
  tag: latest

# Per Service or Deployment (names as in knative/): minScale and maxScale of a Knative Service
# (maxScale 0: no bound), replicas of a Deployment (stream-server, edge). Unset: knative/'s.
services: {}
#  search:
#    minScale: "1"
#    maxScale: "10"
#  edge:
#    replicas: 3

# The Secret every function reads (keys: knative/platform-secrets.yaml.example), created
# beforehand: the chart never holds a secret. PostgreSQL's URL is its database-url key.
secrets:
  existingSecret: ${SECRET}
  # The edge's certificate for HTTPS and RTMPS: a TLS Secret (kubectl create secret tls, or
  # cert-manager's Certificate), created beforehand.
  edgeTlsSecret: ${EDGE_TLS_SECRET}

# The live HLS volume: ReadWriteMany (stream-server writes, every edge replica reads).
hls:
  storageClassName: ""
  size: 20Gi

kafka:
  bootstrapServers: ${KAFKA}
mongodb:
  url: mongodb://mongodb:27017/
elasticsearch:
  url: http://elasticsearch:9200

# The address people open the platform at (links in mail), and the sender of its mail. The SMTP
# server is the Secret's smtp-url key.
publicUrl: https://streams.example.org
mail:
  from: Stream Platform <no-reply@streams.example.org>

# The cluster's service-account issuer, which sinks check Knative's OIDC tokens against
# (\`kubectl get --raw /.well-known/openid-configuration | jq -r .issuer\`; knative/README.md).
serviceAccountIssuer: https://kubernetes.default.svc.cluster.local
`;

/**
 * Every file of the chart, by path from the repository's root; `fresh` holds knative/ files as
 * they are being generated (knative/edge.yaml), which the chart follows without a second run.
 */
export function helmChartFiles(fresh: Record<string, string> = {}): Record<string, string> {
  const files: Record<string, string> = {
    [`${CHART_DIR}/Chart.yaml`]: chartYaml,
    [`${CHART_DIR}/values.yaml`]: valuesYaml,
  };
  for (const file of readdirSync(join(repoRoot, "knative"))
    .filter((f) => f.endsWith(".yaml"))
    .sort())
    files[`${CHART_DIR}/templates/${file}`] = chartTemplate(
      file,
      fresh[`knative/${file}`] ?? readFileSync(join(repoRoot, "knative", file), "utf8"),
    );
  return files;
}
