// Where the platform's servers are. Every value comes from the environment, with defaults that
// match what `local/` provisions on one machine, so the same code runs against Compose, a
// cluster or a managed service by setting the variables below.

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : value;
}

function port(name: string, fallback: number): number {
  const raw = env(name, String(fallback));
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
  }
  return value;
}

/** Loopback only: nothing local is reachable from other hosts. */
export const LOCAL_HOST = "127.0.0.1";

/** The variable that holds where a Knative Service listens: SERVICE_<NAME>_ADDRESS. */
export const serviceAddressVariable = (knativeService: string) =>
  `SERVICE_${knativeService.toUpperCase().replace(/-/g, "_")}_ADDRESS`;

export interface LocalPorts {
  postgres: number;
  kafka: number;
  kafkaController: number;
  mongodb: number;
  elasticsearch: number;
  elasticsearchTransport: number;
  edge: number;
  /** The edge's HTTPS listener (HSTS, Secure cookies). */
  edgeTls: number;
  /** RTMPS ingest: TLS ends at the edge, which passes the stream on to stream-server. */
  rtmps: number;
  /** stream-server's RTMP behind the edge: each connection opens with a PROXY protocol header. */
  rtmpProxy: number;
  /** Status of the local eventing runtime (functions, sources). */
  platform: number;
  /** RTMP ingest (stream-server). */
  rtmp: number;
  /** stream-server's health and status. */
  streamServer: number;
  /** SMTP of the local mail server (Mailpit): where the platform's email goes. */
  smtp: number;
  /** Mailpit's web inbox and HTTP API (tests read the mail sent from it). */
  mailpit: number;
  /** VictoriaMetrics: scrapes every process's /metrics, Prometheus query API. */
  victoriaMetrics: number;
  /** The trace store's (Jaeger's) OTLP/HTTP receiver: where processes send spans. */
  otlpHttp: number;
  /** Jaeger's query API. */
  jaeger: number;
}

export function localPorts(): LocalPorts {
  return {
    postgres: port("POSTGRES_PORT", 5432),
    kafka: port("KAFKA_PORT", 9092),
    kafkaController: port("KAFKA_CONTROLLER_PORT", 9093),
    mongodb: port("MONGODB_PORT", 27017),
    elasticsearch: port("ELASTICSEARCH_PORT", 9200),
    elasticsearchTransport: port("ELASTICSEARCH_TRANSPORT_PORT", 9300),
    edge: port("EDGE_PORT", 8080),
    edgeTls: port("EDGE_TLS_PORT", 8443),
    rtmps: port("RTMPS_PORT", 1936),
    rtmpProxy: port("RTMP_PROXY_PORT", 1937),
    platform: port("PLATFORM_PORT", 8090),
    rtmp: port("RTMP_PORT", 1935),
    streamServer: port("STREAM_SERVER_PORT", 8091),
    smtp: port("SMTP_PORT", 1025),
    mailpit: port("MAILPIT_PORT", 8025),
    victoriaMetrics: port("VICTORIA_METRICS_PORT", 8428),
    otlpHttp: port("OTLP_HTTP_PORT", 4318),
    jaeger: port("JAEGER_PORT", 16686),
  };
}

/** The local PostgreSQL superuser's password; only ever used on loopback. */
export function localPostgresPassword(): string {
  return env("POSTGRES_PASSWORD", "streamplatform");
}

export interface ServiceUrls {
  /** PostgreSQL connection URL (`DATABASE_URL`). */
  databaseUrl: string;
  /** Kafka bootstrap servers (`KAFKA_BROKERS`, comma separated). */
  kafkaBrokers: string[];
  /** MongoDB-protocol URL (`MONGODB_URL`); FerretDB locally. */
  mongodbUrl: string;
  /** Elasticsearch URL (`ELASTICSEARCH_URL`). */
  elasticsearchUrl: string;
  /** The NGINX edge (`EDGE_URL`). */
  edgeUrl: string;
  /** A Prometheus query API (`METRICS_URL`): VictoriaMetrics locally. */
  metricsUrl: string;
  /** A Jaeger query API (`TRACES_URL`), where the operator console reads traces back. */
  tracesUrl: string;
}

export function serviceUrls(): ServiceUrls {
  const ports = localPorts();
  const password = encodeURIComponent(localPostgresPassword());
  return {
    databaseUrl: env(
      "DATABASE_URL",
      `postgres://postgres:${password}@${LOCAL_HOST}:${ports.postgres}/streamplatform`,
    ),
    kafkaBrokers: env("KAFKA_BROKERS", `${LOCAL_HOST}:${ports.kafka}`)
      .split(",")
      .map((broker) => broker.trim())
      .filter(Boolean),
    mongodbUrl: env("MONGODB_URL", `mongodb://${LOCAL_HOST}:${ports.mongodb}/`),
    elasticsearchUrl: env("ELASTICSEARCH_URL", `http://${LOCAL_HOST}:${ports.elasticsearch}`),
    edgeUrl: env("EDGE_URL", `http://${LOCAL_HOST}:${ports.edge}`),
    metricsUrl: env("METRICS_URL", `http://${LOCAL_HOST}:${ports.victoriaMetrics}`),
    tracesUrl: env("TRACES_URL", `http://${LOCAL_HOST}:${ports.jaeger}`),
  };
}

/** Which servers were given from outside (and so are used as they are, not provisioned). */
export function externalServers(): Record<
  "postgres" | "kafka" | "mongodb" | "elasticsearch",
  boolean
> {
  const given = (name: string) => (process.env[name] ?? "") !== "";
  return {
    postgres: given("DATABASE_URL"),
    kafka: given("KAFKA_BROKERS"),
    mongodb: given("MONGODB_URL"),
    elasticsearch: given("ELASTICSEARCH_URL"),
  };
}
