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
  return client;
}
