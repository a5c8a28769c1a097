// MongoDB for functions: one client per process, from MONGODB_URL (FerretDB locally). Code uses
// only what both MongoDB and FerretDB 1.24 support (see docs/architecture.md).
import { MongoClient } from "mongodb";
import { serviceUrls } from "../config.ts";
import { traceCommands } from "../observability/db-tracing.ts";
import { spansRecorded } from "../observability/trace-context.ts";

export function createMongoClient(url = serviceUrls().mongodbUrl): MongoClient {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    maxPoolSize: 20,
    // The command events that make database spans cost a little per command: only for export.
    monitorCommands: spansRecorded(),
  });
  traceCommands(client);
  reconnectAfterFailedStart(client);
  return client;
}

/** How long after its topology closed by itself a client connects again. */
const RECONNECT_MS = 1000;

/**
 * A client whose first connection failed (the store down as the function started) is left by
 * the driver with a closed topology that every later operation meets ("Topology is closed"),
 * the store back or not: the function would stay broken until restarted. A topology that
 * closes without close() having been called is connected again, until it holds.
 */
function reconnectAfterFailedStart(client: MongoClient): void {
  let closing = false;
  const close = client.close.bind(client);
  client.close = (force?: boolean) => {
    closing = true;
    return close(force);
  };
  client.on("topologyClosed", () => {
    if (closing) return;
    setTimeout(() => {
      if (!closing) client.connect().catch(() => undefined);
    }, RECONNECT_MS).unref();
  });
}
