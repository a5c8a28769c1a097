// stack.yml (OpenFaaS), docker-compose.yml and the Compose edge's nginx.conf, generated from
// knative/ (the one source of truth for functions, their targets, environment and topics) and
// the edge template local/ uses: `npm run deploy:generate` writes them, and a test fails when a
// committed file differs from what this produces.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import {
  envOf,
  type KnativeService,
  loadManifests,
  type Manifests,
} from "../eventing/manifests.ts";
import { repoRoot } from "../paths.ts";
import { EDGE_LIMITS, requestLimits } from "../servers/edge-limits.ts";
import { edgeLocations, edgeRoutes } from "../servers/edge-routes.ts";
import { renderEdgeConfig, upstreams } from "../servers/nginx.ts";
import {
  EDGE_IMAGE_PATHS,
  EDGE_IMAGE_PORTS,
  EDGE_IMAGE_TLS,
  edgeImageTransport,
  edgeObjects,
} from "./edge-objects.ts";
import { grafanaDashboard } from "./grafana.ts";
import { helmChartFiles } from "./helm-chart.ts";
import { openfaasServersFile } from "./openfaas.ts";

const FUNCTION_PORT = 8080;
const IMAGE = "ghcr.io/stream-platform/functions:latest";
const STREAM_SERVER_IMAGE = "ghcr.io/stream-platform/stream-server:latest";
const HEADER = (what: string) =>
  `# ${what}\n# Generated from knative/ by \`npm run deploy:generate\`: edit knative/ and run it; a test\n# (local/test/deployment.test.ts) fails when this file and knative/ disagree.\n`;

/** A Compose interpolation, `${NAME:-default}` or `${NAME:?message}`, filled from the shell. */
const fromShell = (expression: string) => `\${${expression}}`;

/** The same variable names as local/ and the cluster; values for containers on one host. */
const SHARED_ENV = {
  KAFKA_BROKERS: "kafka:9092",
  MONGODB_URL: "mongodb://mongodb:27017/",
  ELASTICSEARCH_URL: "http://elasticsearch:9200",
  SERVICE_ACCOUNTS_GRPC_ADDRESS: `accounts-grpc:${FUNCTION_PORT}`,
  SERVICE_EVENTS_GRPC_ADDRESS: `events-grpc:${FUNCTION_PORT}`,
  PUBLIC_URL: fromShell("PUBLIC_URL:-http://127.0.0.1:8080"),
  // Over the edge's own TLS cookies are Secure anyway; behind another terminator, by this.
  COOKIE_SECURE: fromShell("COOKIE_SECURE:-false"),
};

/** A secret Compose takes from the shell and refuses to start without (no default to leak). */
const requiredFromShell = (name: string, example = "openssl rand -base64 32") =>
  fromShell(`${name}:?set ${name} (e.g. ${example})`);

const TLS_EXAMPLE = "the paths of a PEM certificate and key, README.md: Compose";

/** PostgreSQL's URL in Compose; hex keeps the password free of what a URL must escape. */
export const composePostgresUrl = (database: string) =>
  `postgres://postgres:${requiredFromShell("POSTGRES_PASSWORD", "openssl rand -hex 24")}@postgres:5432/${database}`;

/**
 * The Compose value of each platform-secrets key knative/ reads. A container gets only the keys
 * its own manifest names (secretKeyRef), as on a cluster, so one that is broken into does not
 * hold every other's secrets.
 */
const COMPOSE_SECRETS: Record<string, string> = {
  "jwt-secret": requiredFromShell("JWT_SECRET"),
  "stream-key-secret": requiredFromShell("STREAM_KEY_SECRET"),
  "ingress-token": requiredFromShell("INGRESS_TOKEN"),
  "internal-token": requiredFromShell("INTERNAL_TOKEN"),
  "database-url": composePostgresUrl("streamplatform"),
  // Mail: the Compose Mailpit (its inbox on EDGE_BIND:8025) unless an SMTP server is given.
  "smtp-url": fromShell("SMTP_URL:-smtp://mailpit:1025"),
};

/** The environment of secrets `refs` name, as Compose fills them in. */
function composeSecrets(owner: string, refs: SecretRef[]): Record<string, string> {
  return Object.fromEntries(
    refs.map(({ variable, key }) => {
      const value = COMPOSE_SECRETS[key];
      if (value === undefined)
        throw new Error(
          `knative/: ${owner} reads the secret key "${key}", which docker-compose.yml has no value for: add it to COMPOSE_SECRETS in local/src/deploy/generate.ts`,
        );
      return [variable, value];
    }),
  );
}

/** The edge's request limits as shipped: generated files never depend on this shell's EDGE_LIMIT_*. */
const DEFAULT_REQUEST_LIMITS = requestLimits(EDGE_LIMITS);

const isGrpc = (service: KnativeService) => envOf(service).GRPC_SOURCE !== undefined;

/** The topics whose events a Service receives (from the KafkaSources that sink into it). */
function topicsOf(manifests: Manifests, service: KnativeService): string[] {
  return manifests.kafkaSources
    .filter((source) => source.spec.sink.ref?.name === service.metadata.name)
    .flatMap((source) => source.spec.topics);
}

/** Secrets a Service reads (`secretKeyRef` keys), as OpenFaaS secret names. */
function secretsOf(service: KnativeService): string[] {
  const env =
    (
      service.spec.template.spec.containers[0] as {
        env?: { valueFrom?: { secretKeyRef?: { key: string } } }[];
      }
    ).env ?? [];
  return env.flatMap((variable) =>
    variable.valueFrom?.secretKeyRef ? [variable.valueFrom.secretKeyRef.key] : [],
  );
}

/**
 * A Service's environment off a Knative cluster: no source there sends an OIDC token, so the sinks'
 * SINK_OIDC_* settings are left out and SINK_CREDENTIAL=oidc becomes "network" (OpenFaaS's Kafka
 * connector sends no credential; Compose sets the internal token over it).
 */
function envOffCluster(service: KnativeService): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(envOf(service)).filter(([name]) => !name.startsWith("SINK_OIDC_")),
  );
  return env.SINK_CREDENTIAL === "oidc" ? { ...env, SINK_CREDENTIAL: "network" } : env;
}

/**
 * What invokes a function on OpenFaaS: the Kafka connector, for each record of its KafkaSources'
 * topics, or the cron connector, on its PingSource's schedule (with an empty body: the targets
 * of knative/'s PingSources read nothing from theirs).
 */
function invokedBy(manifests: Manifests, service: KnativeService, topics: string[]) {
  const pings = manifests.pingSources.filter(
    (source) => source.spec.sink.ref?.name === service.metadata.name,
  );
  if (pings.length > 1 || (pings.length > 0 && topics.length > 0))
    throw new Error(
      `${service.metadata.name}: OpenFaaS invokes a function from one connector, on one topic list or one schedule`,
    );
  const [ping] = pings;
  if (ping) return { annotations: { topic: "cron-function", schedule: ping.spec.schedule } };
  return topics.length > 0 ? { annotations: { topic: topics.join(",") } } : {};
}

export function stackFile(manifests: Manifests): string {
  const functions = Object.fromEntries(
    manifests.services
      .filter((service) => !isGrpc(service)) // OpenFaaS functions speak HTTP/1.1
      .map((service) => {
        const topics = topicsOf(manifests, service);
        const secrets = secretsOf(service);
        return [
          service.metadata.name,
          {
            image: IMAGE,
            environment: { ...envOffCluster(service), PORT: String(FUNCTION_PORT) },
            // Server addresses, as the OpenFaaS cluster names them.
            environment_file: ["deploy/openfaas/platform.yml"],
            // Mounted as files; the function host reads them into the environment.
            ...(secrets.length > 0 && { secrets }),
            ...invokedBy(manifests, service, topics),
            labels: { "com.openfaas.scale.zero": "true" },
          },
        ];
      }),
  );
  return `${HEADER("OpenFaaS: faas-cli deploy -f stack.yml, beside deploy/openfaas/servers.yaml (the gRPC servers, stream-server and the edge).")}${stringify(
    { version: "1.0", provider: { name: "openfaas", gateway: "http://127.0.0.1:8080" }, functions },
    { lineWidth: 0 },
  )}`;
}

const healthy = { condition: "service_healthy" } as const;

export function composeFile(manifests: Manifests): string {
  const infra = {
    kafka: {
      image: "apache/kafka:4.1.0",
      environment: {
        KAFKA_NODE_ID: "1",
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_LISTENERS: "PLAINTEXT://:9092,CONTROLLER://:9093",
        KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://kafka:9092",
        KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        KAFKA_CONTROLLER_QUORUM_VOTERS: "1@kafka:9093",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
        KAFKA_NUM_PARTITIONS: "3",
        KAFKA_HEAP_OPTS: "-Xms256m -Xmx256m",
      },
      healthcheck: {
        test: [
          "CMD-SHELL",
          "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 >/dev/null",
        ],
        interval: "10s",
        retries: 12,
      },
      volumes: ["kafka:/var/lib/kafka/data"],
    },
    mongodb: {
      image: "mongo:7.0",
      healthcheck: {
        test: ["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping')"],
        interval: "10s",
        retries: 12,
      },
      volumes: ["mongodb:/data/db"],
    },
    postgres: {
      image: "postgres:15",
      environment: {
        POSTGRES_PASSWORD: requiredFromShell("POSTGRES_PASSWORD", "openssl rand -hex 24"),
        POSTGRES_DB: "streamplatform",
      },
      healthcheck: { test: ["CMD", "pg_isready", "-U", "postgres"], interval: "5s", retries: 12 },
      volumes: ["postgres:/var/lib/postgresql/data"],
    },
    elasticsearch: {
      image: "docker.elastic.co/elasticsearch/elasticsearch:8.19.2",
      environment: {
        "discovery.type": "single-node",
        "xpack.security.enabled": "false",
        // Small: it shares the host with everything else.
        ES_JAVA_OPTS: "-Xms512m -Xmx512m",
      },
      healthcheck: {
        test: [
          "CMD-SHELL",
          "curl -fs http://localhost:9200/_cluster/health?wait_for_status=yellow",
        ],
        interval: "10s",
        retries: 18,
      },
      volumes: ["elasticsearch:/usr/share/elasticsearch/data"],
    },
    // Catches the platform's mail (as local/ does), its inbox at http://EDGE_BIND:8025.
    mailpit: {
      image: "axllent/mailpit:v1.33.1",
      ports: [`${fromShell("EDGE_BIND:-127.0.0.1")}:8025:8025`],
      volumes: ["mailpit:/data"],
      environment: { MP_DATABASE: "/data/mailpit.db" },
    },
  };
  const stores = { kafka: healthy, mongodb: healthy, postgres: healthy, elasticsearch: healthy };
  // stream-server is a Deployment, which Manifests does not hold: its refs are read from knative/.
  const streamServerSecrets = composeSecrets(
    "stream-server",
    secretRefs().filter((ref) => ref.owner === "stream-server"),
  );
  const functions = Object.fromEntries(
    [...manifests.services]
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((service) => [
        service.metadata.name,
        {
          image: IMAGE,
          build: { context: ".", target: "functions" },
          environment: {
            ...SHARED_ENV,
            ...composeSecrets(service.metadata.name, secretRefsIn(service, service.metadata.name)),
            ...envOffCluster(service),
            // The eventing container is local/'s dispatcher, which sends the internal token:
            // sinks check it here (a cluster's KafkaSource cannot, see knative/).
            SINK_CREDENTIAL: "internal-token",
            PORT: String(FUNCTION_PORT),
          },
          depends_on: stores,
          healthcheck: isGrpc(service)
            ? {
                test: [
                  "CMD",
                  "node",
                  "-e",
                  `require('net').connect(${FUNCTION_PORT}).on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`,
                ],
                interval: "10s",
              }
            : {
                test: [
                  "CMD",
                  "node",
                  "-e",
                  `fetch('http://127.0.0.1:${FUNCTION_PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
                ],
                interval: "10s",
              },
          restart: "unless-stopped",
        },
      ]),
  );
  const everyFunction = Object.fromEntries(Object.keys(functions).map((name) => [name, healthy]));
  const services = {
    ...infra,
    ...functions,
    // Knative's eventing, as local/ does it: the KafkaSources and the PingSource of knative/,
    // delivering to the function containers above.
    eventing: {
      image: IMAGE,
      build: { context: ".", target: "functions" },
      command: ["node", "--import", "tsx", "local/src/eventing/main.ts"],
      environment: {
        ...SHARED_ENV,
        // Knative's eventing has no manifest in knative/: local/'s dispatcher needs only the
        // token it sends to sinks.
        ...composeSecrets("eventing", [
          { owner: "eventing", variable: "INTERNAL_TOKEN", key: "internal-token" },
        ]),
        EVENTING_SERVICE_URL: `http://{name}:${FUNCTION_PORT}`,
      },
      // It serves nothing (the image's HTTP check does not apply); it delivers or logs why not.
      healthcheck: { disable: true },
      depends_on: { kafka: healthy, ...everyFunction },
      restart: "unless-stopped",
    },
    "stream-server": {
      image: STREAM_SERVER_IMAGE,
      build: { context: ".", target: "stream-server" },
      environment: {
        ...SHARED_ENV,
        ...streamServerSecrets,
        RTMP_BIND: "0.0.0.0",
        // The edge's stream proxy connects here with a PROXY header (the publisher's address).
        // Not published: only containers of the Compose network reach it, so its private
        // ranges are trusted (the edge's address is whatever Docker gives it).
        RTMP_PROXY_PORT: "1937",
        RTMP_PROXY_TRUSTED: "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
        STREAM_SERVER_BIND: "0.0.0.0",
        HLS_DIR: "/var/lib/stream-platform/hls",
      },
      volumes: ["hls:/var/lib/stream-platform/hls"],
      // PostgreSQL holds its publish limit (without it, it limits in its own process).
      depends_on: {
        kafka: healthy,
        postgres: healthy,
        "accounts-grpc": healthy,
        "events-grpc": healthy,
      },
      restart: "unless-stopped",
    },
    // The edge: the same routes as local/ (generated from its template), and RTMP balanced
    // across stream-server instances (`docker compose up --scale stream-server=3`).
    edge: {
      // NGINX with the web app's build in /srv/web (Dockerfile target `edge`).
      build: { context: ".", target: "edge" },
      // Loopback unless told otherwise (EDGE_BIND=0.0.0.0 to serve other hosts).
      ports: [
        `${fromShell("EDGE_BIND:-127.0.0.1")}:${fromShell("EDGE_PORT:-8080")}:8080`,
        `${fromShell("EDGE_BIND:-127.0.0.1")}:${fromShell("EDGE_TLS_PORT:-8443")}:${EDGE_IMAGE_PORTS.https}`,
        `${fromShell("EDGE_BIND:-127.0.0.1")}:${fromShell("RTMP_PORT:-1935")}:1935`,
        `${fromShell("EDGE_BIND:-127.0.0.1")}:${fromShell("RTMPS_PORT:-1936")}:${EDGE_IMAGE_PORTS.rtmps}`,
      ],
      volumes: [
        "./deploy/compose/edge.conf:/etc/nginx/nginx.conf:ro",
        "hls:/var/lib/stream-platform/hls:ro",
        // The site's certificate for HTTPS and RTMPS: PEM files, the chain first; the key
        // readable by the image's NGINX (www-data, uid 33).
        `${requiredFromShell("EDGE_TLS_CERT", TLS_EXAMPLE)}:${EDGE_IMAGE_TLS.cert}:ro`,
        `${requiredFromShell("EDGE_TLS_KEY", TLS_EXAMPLE)}:${EDGE_IMAGE_TLS.key}:ro`,
      ],
      depends_on: { "stream-server": { condition: "service_started" }, ...everyFunction },
      restart: "unless-stopped",
    },
  };
  return `${HEADER("The whole platform on one host: POSTGRES_PASSWORD=… JWT_SECRET=… STREAM_KEY_SECRET=… INGRESS_TOKEN=… INTERNAL_TOKEN=… EDGE_TLS_CERT=… EDGE_TLS_KEY=… docker compose up --build")}${stringify(
    {
      name: "stream-platform",
      services,
      volumes: { kafka: {}, mongodb: {}, postgres: {}, elasticsearch: {}, mailpit: {}, hls: {} },
    },
    { lineWidth: 0 },
  )}`;
}

/**
 * The Compose edge: local/'s template with container paths and names (its API locations, from
 * the edge-paths annotations of knative/, are the same), plus RTMP balancing.
 */
export function composeEdgeConfig(): string {
  const http = renderEdgeConfig({
    ...EDGE_IMAGE_PATHS,
    UPSTREAMS: upstreams((s) => `${s.name}:${FUNCTION_PORT}`),
    STREAM_SERVER: "stream-server:8091",
    REQUEST_LIMITS: DEFAULT_REQUEST_LIMITS,
    // HTTPS and RTMPS with the mounted certificate; plain RTMP too. Docker's DNS returns each
    // stream-server instance.
    ...edgeImageTransport({
      rtmpUpstream: "stream-server:1937",
      plainRtmp: true,
      resolver: "127.0.0.11",
    }),
  });
  return `# Generated by \`npm run deploy:generate\` from local/nginx/edge.conf.template and the\n# streamplatform.dev/edge-* annotations of knative/.\n${http}`;
}

/** The namespace knative/ deploys to (its other manifests name it in cluster addresses). */
const NAMESPACE = "default";
const clusterHost = (service: string) => `${service}.${NAMESPACE}.svc.cluster.local`;

/**
 * The cluster's edge: local/'s template with the cluster's names. Each API location sends the
 * Knative Service's own host name (Knative's ingress routes by Host) and repeats the template's
 * other proxy headers, which a location's own proxy_set_header would otherwise drop.
 */
export function clusterEdgeConfig(manifests: Manifests): string {
  const template = readFileSync(join(repoRoot, "local", "nginx", "edge.conf.template"), "utf8");
  const inherited = [...template.matchAll(/^ {2}(proxy_set_header (?!Host )[^\n]+)$/gm)].map(
    (m) => m[1] as string,
  );
  return renderEdgeConfig({
    ...EDGE_IMAGE_PATHS,
    UPSTREAMS: upstreams((s) => `${clusterHost(s.name)}:80`),
    STREAM_SERVER: `${clusterHost("stream-server")}:8091`,
    REQUEST_LIMITS: DEFAULT_REQUEST_LIMITS,
    // HTTPS and RTMPS with the edge-tls Secret's certificate; plain RTMP reaches stream-server
    // by its own Service (stream-server-rtmp).
    ...edgeImageTransport({ rtmpUpstream: `${clusterHost("stream-server")}:1937` }),
    API_LOCATIONS: edgeLocations(edgeRoutes(manifests), (service) => [
      `proxy_set_header Host ${clusterHost(service)};`,
      ...inherited,
    ]),
  });
}

/** knative/edge.yaml: the edge's nginx.conf (ConfigMap), its Deployment and public Service. */
export function knativeEdgeFile(manifests: Manifests): string {
  const docs = edgeObjects(clusterEdgeConfig(manifests));
  return `${HEADER("The edge on a cluster: NGINX with the web app (image target edge), /hls/ from the stream-server-hls volume, and every API route of knative/ to its cluster-local Service.")}${docs
    .map((doc) => stringify(doc, { lineWidth: 0 }))
    .join("---\n")}`;
}

export interface SecretRef {
  /** The manifest (metadata.name) whose container reads it. */
  owner: string;
  variable: string;
  /** The key of platform-secrets. */
  key: string;
}

/** The secretKeyRefs in one manifest (`owner`), with the variable each fills. */
function secretRefsIn(manifest: unknown, owner: string): SecretRef[] {
  const refs: SecretRef[] = [];
  const visit = (node: unknown, variable?: string): void => {
    if (Array.isArray(node)) for (const item of node) visit(item, variable);
    else if (node && typeof node === "object") {
      const object = node as Record<string, unknown>;
      const name = typeof object.name === "string" ? object.name : variable;
      const ref = object.secretKeyRef as { key?: string } | undefined;
      if (ref?.key) refs.push({ owner, variable: name ?? ref.key, key: ref.key });
      for (const value of Object.values(object)) visit(value, name);
    }
  };
  visit(manifest);
  return refs;
}

/** Every secretKeyRef of knative/: who reads which key, into which variable. */
export function secretRefs(): SecretRef[] {
  const dir = join(repoRoot, "knative");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), "utf8")).flatMap((doc) => {
        const object = doc.toJS() as { metadata?: { name?: string } } | null;
        return object ? secretRefsIn(object, object.metadata?.name ?? file) : [];
      }),
    );
}

/** Every Secret key knative/ reads, with the variable and the readers. */
function secretKeys(): Map<string, { variable: string; readers: Set<string> }> {
  const keys = new Map<string, { variable: string; readers: Set<string> }>();
  for (const { owner, variable, key } of secretRefs()) {
    const entry = keys.get(key) ?? { variable, readers: new Set() };
    entry.readers.add(owner);
    keys.set(key, entry);
  }
  return keys;
}

/**
 * knative/platform-secrets.yaml.example: the Secret every secretKeyRef of knative/ names, with
 * each key it must hold. Not a .yaml file, so `kubectl apply -f knative/` never overwrites the
 * real Secret with these blanks: fill in a copy and apply that.
 */
export function secretTemplate(): string {
  const lines = [...secretKeys()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([key, { variable, readers }]) => [
      `  # ${variable} of ${[...readers].sort().join(", ")}`,
      `  ${key}: ""`,
    ]);
  return `# The platform-secrets Secret: fill in a copy (never commit it) and \`kubectl apply -f\` it before
# knative/. Random keys: openssl rand -base64 32. database-url: postgres://USER:PASSWORD@HOST:5432/DB.
# Generated from the secretKeyRefs of knative/ by \`npm run deploy:generate\`; a test
# (local/test/deployment.test.ts) fails when a key is missing.
apiVersion: v1
kind: Secret
metadata:
  name: platform-secrets
  labels:
    app.kubernetes.io/part-of: stream-platform
type: Opaque
stringData:
${lines.join("\n")}
`;
}

const WORKSPACES_BEGIN =
  "# workspaces (npm run deploy:generate writes these lines, one per workspace)\n";
const WORKSPACES_END = "# end of workspaces\n";

/** Folders of the npm workspaces (package.json's globs, expanded), sorted. */
export function workspaceDirs(): string[] {
  const { workspaces } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    workspaces: string[];
  };
  return workspaces
    .flatMap((pattern) =>
      pattern.endsWith("/*")
        ? readdirSync(join(repoRoot, pattern.slice(0, -2)), { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
        : [pattern],
    )
    .filter((dir) => existsSync(join(repoRoot, dir, "package.json")))
    .sort();
}

/**
 * The Dockerfile with its dependency stage copying every workspace's package.json (so that a new
 * function needs no edit there): the lines between the markers are rewritten.
 */
export function dockerfile(): string {
  const text = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
  const begin = text.indexOf(WORKSPACES_BEGIN);
  const end = text.indexOf(WORKSPACES_END);
  if (begin < 0 || end < begin) throw new Error("Dockerfile: the workspaces markers are missing");
  const lines = workspaceDirs().map((dir) => `COPY ${dir}/package.json ${dir}/\n`);
  return `${text.slice(0, begin + WORKSPACES_BEGIN.length)}${lines.join("")}${text.slice(end)}`;
}

export const GENERATED = {
  "stack.yml": stackFile,
  "docker-compose.yml": composeFile,
  "deploy/compose/edge.conf": () => composeEdgeConfig(),
  Dockerfile: () => dockerfile(),
  "knative/edge.yaml": knativeEdgeFile,
  "deploy/openfaas/servers.yaml": openfaasServersFile,
  "knative/platform-secrets.yaml.example": () => secretTemplate(),
  "deploy/grafana/stream-platform.json": () => grafanaDashboard(),
} as const;

export function generated(): Record<string, string> {
  const manifests = loadManifests([join(repoRoot, "knative")]);
  const files = Object.fromEntries(
    Object.entries(GENERATED).map(([file, render]) => [file, render(manifests)]),
  );
  return { ...files, ...helmChartFiles(files) };
}

if (process.argv[1]?.endsWith("generate.ts")) {
  for (const [file, text] of Object.entries(generated())) {
    mkdirSync(dirname(join(repoRoot, file)), { recursive: true });
    writeFileSync(join(repoRoot, file), text);
    console.log(`wrote ${file}`);
  }
}
