// Where each part of the manifests lives on this machine: a local port per Knative Service, and
// what each sink reference resolves to. NGINX and the eventing runtime both derive it from the
// same manifests, so they always agree.
import { LOCAL_HOST, physicalTopic, serviceAddressVariable } from "@stream-platform/shared";
import { type Destination, envOf, type KnativeService, type Manifests } from "./manifests.ts";

export interface LocalService {
  name: string;
  port: number;
  url: string;
  env: Record<string, string>;
  manifest: KnativeService;
}

export type Target = { kind: "http"; url: string } | { kind: "kafka"; topic: string };

export interface Topology {
  services: LocalService[];
  resolve(destination: Destination): Target;
}

export function functionsBasePort(): number {
  return Number(process.env.FUNCTIONS_BASE_PORT ?? 8100);
}

export function topology(
  manifests: Manifests,
  basePort = functionsBasePort(),
  topicPrefix?: string,
  /** Where Services run when someone else runs them (Compose: `http://NAME:8080`). */
  serviceUrl?: (name: string) => string,
): Topology {
  const services = [...manifests.services]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((manifest, index): LocalService => {
      const port = basePort + index;
      return {
        name: manifest.metadata.name,
        port,
        url: serviceUrl?.(manifest.metadata.name) ?? `http://${LOCAL_HOST}:${port}`,
        env: envOf(manifest),
        manifest,
      };
    });
  return {
    services,
    resolve(destination) {
      if (destination.uri !== undefined && destination.ref === undefined)
        return { kind: "http", url: destination.uri };
      const ref = destination.ref;
      if (ref?.kind === "Service") {
        const service = services.find((s) => s.name === ref.name);
        if (!service)
          throw new Error(`sink: no Knative Service named "${ref.name}" in the manifests`);
        // A uri beside a ref is a path relative to it (Knative semantics).
        return { kind: "http", url: new URL(destination.uri ?? "/", service.url).toString() };
      }
      if (ref?.kind === "KafkaSink") {
        const sink = manifests.kafkaSinks.find((s) => s.metadata.name === ref.name);
        if (!sink) throw new Error(`sink: no KafkaSink named "${ref.name}" in the manifests`);
        return { kind: "kafka", topic: physicalTopic(sink.spec.topic, topicPrefix) };
      }
      throw new Error(`sink: local/ cannot deliver to a ${ref?.kind ?? "missing"} reference`);
    },
  };
}

/** SERVICE_<NAME>_ADDRESS of each Service at its local port, as cluster DNS would give. */
export function peerAddresses(services: { name: string; port: number }[]): Record<string, string> {
  return Object.fromEntries(
    services.map((s) => [serviceAddressVariable(s.name), `${LOCAL_HOST}:${s.port}`]),
  );
}
