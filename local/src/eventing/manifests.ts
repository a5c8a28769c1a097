// Reads the Knative manifests (knative/*.yaml): the only place where functions, their event
// sources and their sinks are wired. Only the fields that local/ acts on are parsed; the rest
// stays for the cluster.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { z } from "zod";

const reference = z.object({
  apiVersion: z.string().optional(),
  kind: z.string(),
  name: z.string(),
});

/** A Knative Destination: a reference to an addressable object, or a URI. */
const destination = z
  .object({ ref: reference.optional(), uri: z.string().optional() })
  .refine((d) => d.ref !== undefined || d.uri !== undefined, "a sink needs a ref or a uri");
export type Destination = z.infer<typeof destination>;

const metadata = z.object({
  name: z.string(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const envVar = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .object({ secretKeyRef: z.object({ name: z.string(), key: z.string() }).optional() })
    .optional(),
});

const knativeService = z.object({
  apiVersion: z.literal("serving.knative.dev/v1"),
  kind: z.literal("Service"),
  metadata,
  spec: z.object({
    template: z.object({
      metadata: z.object({ annotations: z.record(z.string(), z.string()).optional() }).optional(),
      spec: z.object({
        containers: z.array(z.object({ env: z.array(envVar).optional() })).min(1),
        containerConcurrency: z.number().int().nonnegative().optional(),
      }),
    }),
  }),
});

const delivery = z.object({
  retry: z.number().int().nonnegative().optional(),
  backoffPolicy: z.enum(["linear", "exponential"]).optional(),
  backoffDelay: z.string().optional(),
  timeout: z.string().optional(),
  deadLetterSink: destination.optional(),
});
export type Delivery = z.infer<typeof delivery>;

const kafkaSource = z.object({
  apiVersion: z.string().startsWith("sources.knative.dev/"),
  kind: z.literal("KafkaSource"),
  metadata,
  spec: z.object({
    topics: z.array(z.string()).min(1),
    consumerGroup: z.string().optional(),
    initialOffset: z.enum(["earliest", "latest"]).optional(),
    ordering: z.enum(["ordered", "unordered"]).optional(),
    sink: destination,
    delivery: delivery.optional(),
  }),
});

const pingSource = z.object({
  apiVersion: z.string().startsWith("sources.knative.dev/"),
  kind: z.literal("PingSource"),
  metadata,
  spec: z.object({
    schedule: z.string(),
    timezone: z.string().optional(),
    contentType: z.string().optional(),
    data: z.string().optional(),
    sink: destination,
  }),
});

/** A Kubernetes Service (`v1`), fronting the stateful tier: only its name and annotations. */
const kubernetesService = z.object({
  apiVersion: z.literal("v1"),
  kind: z.literal("Service"),
  metadata,
});

const kafkaSink = z.object({
  apiVersion: z.string().startsWith("eventing.knative.dev/"),
  kind: z.literal("KafkaSink"),
  metadata,
  spec: z.object({ topic: z.string() }),
});

export type KnativeService = z.infer<typeof knativeService>;
export type KafkaSource = z.infer<typeof kafkaSource>;
export type PingSource = z.infer<typeof pingSource>;
export type KafkaSink = z.infer<typeof kafkaSink>;
export type KubernetesService = z.infer<typeof kubernetesService>;

export interface Manifests {
  services: KnativeService[];
  kafkaSources: KafkaSource[];
  pingSources: PingSource[];
  kafkaSinks: KafkaSink[];
  /** Not functions, but they may declare paths the edge routes to them. */
  kubernetesServices: KubernetesService[];
}

const kinds = {
  Service: knativeService,
  KafkaSource: kafkaSource,
  PingSource: pingSource,
  KafkaSink: kafkaSink,
  KubernetesService: kubernetesService,
} as const;

/** Every manifest in the folders (`*.yaml`, `*.yml`); kinds local/ does not run are skipped. */
export function loadManifests(dirs: string[]): Manifests {
  const result: Manifests = {
    services: [],
    kafkaSources: [],
    pingSources: [],
    kafkaSinks: [],
    kubernetesServices: [],
  };
  for (const dir of dirs) {
    const files = readdirSync(dir)
      .filter((file) => /\.ya?ml$/.test(file))
      .sort();
    for (const file of files) {
      const path = join(dir, file);
      for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
        if (doc.errors.length > 0)
          throw new Error(`${relative(process.cwd(), path)}: ${doc.errors[0]?.message}`);
        const object = doc.toJS() as { apiVersion?: string; kind?: string } | null;
        if (!object || !(object.kind && object.kind in kinds)) continue;
        // A Kubernetes Service (`v1`) fronts the stateful tier's Deployment: not a function, but
        // it may declare paths the edge routes to it.
        const kind =
          object.kind === "Service" && object.apiVersion === "v1"
            ? "KubernetesService"
            : (object.kind as keyof typeof kinds);
        const parsed = kinds[kind].safeParse(object);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new Error(
            `${relative(process.cwd(), path)}: ${kind}: ${issue?.path.join(".")}: ${issue?.message}`,
          );
        }
        if (kind === "Service") result.services.push(parsed.data as KnativeService);
        if (kind === "KafkaSource") result.kafkaSources.push(parsed.data as KafkaSource);
        if (kind === "PingSource") result.pingSources.push(parsed.data as PingSource);
        if (kind === "KafkaSink") result.kafkaSinks.push(parsed.data as KafkaSink);
        if (kind === "KubernetesService")
          result.kubernetesServices.push(parsed.data as KubernetesService);
      }
    }
  }
  return result;
}

/**
 * A Service's plain variables, and CONTAINER_CONCURRENCY from its `containerConcurrency`: where
 * no queue-proxy enforces it (a local process, Compose, OpenFaaS), the function host does.
 */
export function envOf(service: KnativeService): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of service.spec.template.spec.containers[0]?.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
  }
  const concurrency = service.spec.template.spec.containerConcurrency;
  if (concurrency) env.CONTAINER_CONCURRENCY = String(concurrency);
  return env;
}

/** ISO 8601 durations as Knative uses them (PT0.2S, PT1M, P1D…), in milliseconds. */
export function durationMs(iso: string): number {
  const match =
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      iso,
    );
  if (!match || iso === "P" || iso.endsWith("T"))
    throw new Error(`"${iso}" is not an ISO 8601 duration`);
  const [, d, h, m, s] = match.map((part) => Number(part ?? 0));
  return ((((d ?? 0) * 24 + (h ?? 0)) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * 1000;
}
