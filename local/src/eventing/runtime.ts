// Knative, locally: from the manifests, run every Service as a process, a dispatcher per
// KafkaSource and a timer per PingSource, and report their state on a small status endpoint
// (with the running processes as scrape targets for the local metrics server).
import { createServer, type Server } from "node:http";
import {
  LOCAL_HOST,
  METRICS_PATH,
  physicalTopic,
  serveMetrics,
  topicPrefix,
  log as writeLog,
} from "@stream-platform/shared";
import { createKafka, EventPublisher, ensureTopics } from "@stream-platform/shared/kafka";
import { Activator, scalePolicy } from "./activator.ts";
import { ConsumerLagMonitor } from "./consumer-lag.ts";
import { FunctionProcess, type Log } from "./functions.ts";
import { KafkaSourceDispatcher } from "./kafka-source.ts";
import { loadManifests } from "./manifests.ts";
import { PingSourceTimer } from "./ping-source.ts";
import { SCRAPE_TARGETS_PATH, scrapeTargets } from "./scrape-targets.ts";
import { peerAddresses, topology } from "./topology.ts";

export interface RuntimeOptions {
  /** Folders of Knative manifests. */
  dirs: string[];
  /** The first local port for Knative Services. */
  basePort: number;
  /** Port of the status endpoint (0: any free port). */
  statusPort: number;
  logDir: string;
  topicPrefix?: string;
  log?: Log;
  /**
   * Services run elsewhere, at these URLs (Compose runs each in a container): only the sources
   * run here.
   */
  serviceUrl?: (name: string) => string;
}

export interface Runtime {
  statusPort: number;
  status(): RuntimeStatus;
  stop(): Promise<void>;
}

export interface RuntimeStatus {
  /** Which code this runtime was started with (PLATFORM_FINGERPRINT). */
  fingerprint?: string;
  services: {
    name: string;
    url: string;
    /**
     * The running process's own address, while it runs: where Knative routes a revision with
     * ready pods, the activator out of the path (locally a request there does not count as
     * activity: the process may scale to zero under it).
     */
    instanceUrl?: string;
    state: string;
    pid?: number;
    coldStarts: number;
    scaledDown: number;
    /** Exits nobody asked for (crashes, kills), each followed by a restart. */
    crashes: number;
  }[];
  kafkaSources: { name: string; delivered: number; deadLettered: number }[];
  pingSources: { name: string; fired: number }[];
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const log = options.log ?? ((message: string) => writeLog({ level: "info", msg: message }));
  const prefix = options.topicPrefix ?? topicPrefix();
  const manifests = loadManifests(options.dirs);
  const layout = topology(manifests, options.basePort, prefix, options.serviceUrl);
  const publisher = new EventPublisher(createKafka("local-eventing"), prefix);
  const peers = peerAddresses(layout.services);
  const functions = (options.serviceUrl ? [] : layout.services).map(
    (service) =>
      new Activator(
        new FunctionProcess(service, options.logDir, log, peers),
        scalePolicy(service.manifest.spec.template.metadata?.annotations),
        log,
      ),
  );
  const dispatchers = manifests.kafkaSources.map(
    (s) => new KafkaSourceDispatcher(s, layout, publisher, log, prefix),
  );
  const pings = manifests.pingSources.map((s) => new PingSourceTimer(s, layout, log));
  const lag = new ConsumerLagMonitor(
    createKafka("local-eventing-lag"),
    dispatchers.map((d) => d.lagging),
    log,
  );

  const status = (): RuntimeStatus => ({
    fingerprint: process.env.PLATFORM_FINGERPRINT,
    services: functions.map((f) => ({
      name: f.service.name,
      url: f.service.url,
      ...(f.instancePort && { instanceUrl: `http://${LOCAL_HOST}:${f.instancePort}` }),
      state: f.state,
      pid: f.pid,
      coldStarts: f.coldStarts,
      scaledDown: f.scaledDown,
      crashes: f.crashes,
    })),
    kafkaSources: dispatchers.map((d) => ({
      name: d.name,
      delivered: d.delivered,
      deadLettered: d.deadLettered,
    })),
    pingSources: pings.map((p) => ({ name: p.name, fired: p.fired })),
  });

  let statusServer: Server | undefined;
  const stop = async () => {
    // Sources first (they finish the record in hand and commit), then the functions they feed.
    for (const ping of pings) ping.stop();
    await lag.stop();
    await Promise.all(dispatchers.map((d) => d.stop()));
    await Promise.all(functions.map((f) => f.stop()));
    await publisher.disconnect();
    await new Promise<void>((resolve) =>
      statusServer ? statusServer.close(() => resolve()) : resolve(),
    );
  };

  try {
    await publisher.connect();
    // Topics the manifests name beyond the catalog's (sources' topics, KafkaSinks' topics).
    await ensureTopics(createKafka("local-eventing-admin"), [
      ...manifests.kafkaSinks.map((sink) => physicalTopic(sink.spec.topic, prefix)),
      ...manifests.kafkaSources.flatMap((source) =>
        source.spec.topics.map((t) => physicalTopic(t, prefix)),
      ),
    ]);
    await Promise.all(functions.map((f) => f.start()));
    log(
      `functions ready: ${functions.map((f) => `${f.service.name} ${f.service.url}`).join(", ") || "none"}`,
    );
    await Promise.all(dispatchers.map((d) => d.start()));
    for (const ping of pings) ping.start();
    lag.start();
    statusServer = createServer((req, res) => {
      // The sources' consumer lag and the runtime's own process figures.
      if (req.url === METRICS_PATH) {
        serveMetrics(res);
        return;
      }
      if (req.url === SCRAPE_TARGETS_PATH) {
        const instances = functions.map((f) => ({
          service: f.service.name,
          port: f.service.env.GRPC_SOURCE ? f.metricsPort : f.instancePort,
        }));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(scrapeTargets(instances)));
        return;
      }
      const current = status();
      // Scaled to zero is healthy: the next request starts it.
      const healthy = current.services.every((s) => s.state === "ready" || s.state === "idle");
      res.writeHead(healthy ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify(current));
    });
    await new Promise<void>((resolve, reject) => {
      statusServer?.once("error", reject);
      statusServer?.listen(options.statusPort, LOCAL_HOST, resolve);
    });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const address = statusServer.address();
  return {
    statusPort: typeof address === "object" && address ? address.port : options.statusPort,
    status,
    stop,
  };
}
