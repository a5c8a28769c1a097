// VictoriaMetrics (single node): the local metrics server, with Prometheus' query API. It scrapes
// every function instance's /metrics, found through the eventing runtime's service discovery
// (local/src/eventing/scrape-targets.ts), and stream-server's. Built from the Go module proxy.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOCAL_HOST, localPorts } from "@stream-platform/shared";
import { stringify } from "yaml";
import { SCRAPE_TARGETS_PATH } from "../eventing/scrape-targets.ts";
import { dataDir } from "../paths.ts";
import { startDaemon } from "../proc.ts";
import { goInstall } from "../provision/go.ts";
import type { Probe, Server } from "./types.ts";

// Newer releases need a newer Go than the project asks for.
export const VICTORIA_METRICS_VERSION = "v1.151.0";

/** Every few seconds: a local run is short, and tests wait for a scrape. */
const SCRAPE_SECONDS = 5;

const build = () =>
  goInstall(
    "victoria-metrics",
    "github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics",
    VICTORIA_METRICS_VERSION,
    "about 2 minutes",
  );

export const victoriaMetricsUrl = () => `http://${LOCAL_HOST}:${localPorts().victoriaMetrics}`;

/** What it scrapes: the running function instances, as the runtime lists them, and stream-server. */
function scrapeConfig(): string {
  const ports = localPorts();
  return stringify({
    global: { scrape_interval: `${SCRAPE_SECONDS}s` },
    scrape_configs: [
      {
        job_name: "functions",
        http_sd_configs: [{ url: `http://${LOCAL_HOST}:${ports.platform}${SCRAPE_TARGETS_PATH}` }],
      },
      {
        // The eventing runtime itself: its KafkaSources' consumer lag.
        job_name: "eventing",
        static_configs: [
          { targets: [`${LOCAL_HOST}:${ports.platform}`], labels: { service: "eventing" } },
        ],
      },
      {
        job_name: "stream-server",
        static_configs: [
          {
            targets: [`${LOCAL_HOST}:${ports.streamServer}`],
            labels: { service: "stream-server" },
          },
        ],
      },
    ],
  });
}

export const victoriaMetrics: Server = {
  name: "victoria-metrics",
  title: "VictoriaMetrics (metrics, Prometheus API)",
  dependsOn: [],
  startupTimeoutSeconds: 30,
  address: victoriaMetricsUrl,
  port: () => localPorts().victoriaMetrics,
  portVariable: "VICTORIA_METRICS_PORT",
  external: () => false,

  async provision() {
    await build();
  },

  async start() {
    const binary = await build();
    const state = join(dataDir, "victoria-metrics");
    mkdirSync(state, { recursive: true });
    const config = join(state, "scrape.yaml");
    writeFileSync(config, scrapeConfig());
    startDaemon({
      name: "victoria-metrics",
      command: binary,
      args: [
        `-httpListenAddr=${LOCAL_HOST}:${localPorts().victoriaMetrics}`,
        `-storageDataPath=${join(state, "data")}`,
        // Local figures are for the run at hand: the shortest retention it allows.
        "-retentionPeriod=1d",
        `-promscrape.config=${config}`,
        // Functions start and scale to zero within seconds; the default is a minute.
        `-promscrape.httpSDCheckInterval=${SCRAPE_SECONDS}s`,
        // A sample is queryable a scrape after it was taken (the default holds back 30 s).
        `-search.latencyOffset=${SCRAPE_SECONDS}s`,
        // A target that fails shows as up=0 and on /targets; logging each failure every few
        // seconds would bury the rest of the log.
        "-promscrape.suppressScrapeErrors",
      ],
    });
  },

  async probe(): Promise<Probe> {
    try {
      const response = await fetch(`${victoriaMetricsUrl()}/api/v1/targets?state=active`, {
        signal: AbortSignal.timeout(2000),
      });
      if (!response.ok) return { up: false, reason: `/api/v1/targets answered ${response.status}` };
      const { data } = (await response.json()) as {
        data: { activeTargets: { health: string }[] };
      };
      const up = data.activeTargets.filter((target) => target.health === "up").length;
      return {
        up: true,
        version: `${VICTORIA_METRICS_VERSION}, ${up} of ${data.activeTargets.length} targets up`,
      };
    } catch (error) {
      return { up: false, reason: (error as Error).message };
    }
  },
};
