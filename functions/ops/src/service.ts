// The ops function's state, one per process: MongoDB (OPS_DB) for the dead letters, the Kafka
// publisher that replays them, the metrics server (METRICS_URL) and the trace store
// (TRACES_URL) the console reads.
import { serviceUrls, startupWork } from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { MetricsServer } from "./metrics-server.ts";
import { DeadLetterStore } from "./store.ts";
import { TraceStore } from "./trace-store.ts";

export const mongo = createMongoClient();
export const store = new DeadLetterStore(mongo.db(process.env.OPS_DB ?? "ops"));
export const publisher = new EventPublisher(createKafka("ops"));
export const metrics = new MetricsServer(serviceUrls().metricsUrl);
export const traces = new TraceStore(serviceUrls().tracesUrl);

export const ready = startupWork(() => store.ensureIndexes());

onShutdown(async () => {
  await publisher.disconnect();
  await mongo.close();
});
