// The running function processes as a Prometheus HTTP service-discovery document
// (`http_sd_configs`), served by the runtime's status server for the local metrics server
// (VictoriaMetrics) to scrape each instance's /metrics. The targets are the processes' own
// ports, never the Services' (their activators'): a scrape neither wakes an idle function nor
// keeps a running one from scaling to zero.
import { LOCAL_HOST } from "@stream-platform/shared";

/** Where the status server serves the document. */
export const SCRAPE_TARGETS_PATH = "/scrape-targets";

export interface ScrapeTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

export interface RunningInstance {
  service: string;
  /**
   * The process's own port for /metrics (a gRPC server's METRICS_PORT: its gRPC port speaks
   * HTTP/2 only); undefined while it is not running (scaled to zero, restarting).
   */
  port?: number;
}

export function scrapeTargets(instances: RunningInstance[]): ScrapeTargetGroup[] {
  return instances.flatMap(({ service, port }) =>
    port === undefined ? [] : [{ targets: [`${LOCAL_HOST}:${port}`], labels: { service } }],
  );
}
