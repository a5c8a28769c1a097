// The local eventing daemon (`npm run infra -- up` starts it as "platform"):
//   KNATIVE_DIRS=knative FUNCTIONS_BASE_PORT=8100 PLATFORM_PORT=8090 tsx local/src/eventing/main.ts
// With EVENTING_SERVICE_URL (e.g. http://{name}:8080, as in docker-compose.yml) the Services
// run elsewhere and only the KafkaSources and PingSources run here.
import { resolve } from "node:path";
import {
  flushTraces,
  localPorts,
  log,
  setServiceName,
  startTracing,
} from "@stream-platform/shared";
import { logDir, repoRoot } from "../paths.ts";
import { startRuntime } from "./runtime.ts";
import { functionsBasePort } from "./topology.ts";

setServiceName("eventing");
await startTracing();
const dirs = (process.env.KNATIVE_DIRS ?? "knative")
  .split(",")
  .map((dir) => resolve(repoRoot, dir.trim()));
const runtime = await startRuntime({
  dirs,
  basePort: functionsBasePort(),
  statusPort: localPorts().platform,
  logDir,
  serviceUrl: process.env.EVENTING_SERVICE_URL
    ? (name) => (process.env.EVENTING_SERVICE_URL as string).replace("{name}", name)
    : undefined,
});
log({ level: "info", msg: `up; status on http://127.0.0.1:${runtime.statusPort}/` });

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log({ level: "info", msg: "stopping sources, then functions", signal });
    runtime
      .stop()
      .then(flushTraces)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log({ level: "error", msg: "stopping failed", error: String(error) });
          process.exit(1);
        },
      );
  });
}
