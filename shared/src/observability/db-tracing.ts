// Database calls as client spans of the work that makes them (never a trace of their own: a
// sweep's query every second is not worth one). Made only when spans are exported. The query
// text is the parameterized one: values (a password hash, an address) never reach a span.
import type { MongoClient } from "mongodb";
import type pg from "pg";
import { describingSpans, type Span, spansRecorded, startSpan } from "./trace-context.ts";

const operationOf = (sql: string) => /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? "QUERY";

/** Each query of `client` (a pool's connection) a span of the current work. */
export function traceQueries(client: pg.PoolClient | pg.Client, database: string): void {
  if (!spansRecorded()) return;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const first = args[0] as string | { text?: string; submit?: unknown } | undefined;
    const text = typeof first === "string" ? first : first?.text;
    // A cursor or stream (submittable) is left alone, and so is work outside any span.
    if (
      typeof text !== "string" ||
      (typeof first === "object" && first?.submit) ||
      !describingSpans()
    )
      return query(...args);
    const span = startSpan(operationOf(text), {
      kind: "client",
      attributes: {
        "db.system.name": "postgresql",
        "db.namespace": database,
        "db.operation.name": operationOf(text),
        "db.query.text": text.slice(0, 2000),
      },
    });
    const done = (error?: unknown) => {
      if (error) span.fail(error instanceof Error ? error.message : String(error));
      span.end();
    };
    const last = args[args.length - 1];
    if (typeof last === "function") {
      // The callback form (what pg's Pool.query uses).
      args[args.length - 1] = (error: unknown, result: unknown) => {
        done(error);
        (last as (e: unknown, r: unknown) => void)(error, result);
      };
      return query(...args);
    }
    return (query(...args) as Promise<unknown>).then(
      (result) => {
        done();
        return result;
      },
      (error: unknown) => {
        done(error);
        throw error;
      },
    );
  };
}

// Commands the driver sends for itself (handshakes, heartbeats, sessions), not for the work.
const DRIVER_COMMANDS = new Set([
  "hello",
  "ismaster",
  "ping",
  "saslstart",
  "saslcontinue",
  "endsessions",
  "buildinfo",
  "getmore",
]);

/** Each command `client` sends for the current work a span of it (the driver's command events). */
export function traceCommands(client: MongoClient): void {
  if (!spansRecorded()) return;
  const open = new Map<string, Span>();
  const key = (e: { connectionId?: unknown; requestId: number }) =>
    `${String(e.connectionId)}:${e.requestId}`;
  client.on("commandStarted", (event) => {
    if (DRIVER_COMMANDS.has(event.commandName.toLowerCase()) || !describingSpans()) return;
    const collection = event.command[event.commandName];
    open.set(
      key(event),
      startSpan(
        typeof collection === "string" ? `${event.commandName} ${collection}` : event.commandName,
        {
          kind: "client",
          attributes: {
            "db.system.name": "mongodb",
            "db.namespace": event.databaseName,
            "db.operation.name": event.commandName,
            ...(typeof collection === "string" && { "db.collection.name": collection }),
          },
        },
      ),
    );
  });
  const finish = (event: { connectionId?: unknown; requestId: number }, failure?: string) => {
    const span = open.get(key(event));
    if (!span) return;
    open.delete(key(event));
    if (failure) span.fail(failure);
    span.end();
  };
  client.on("commandSucceeded", (event) => finish(event));
  client.on("commandFailed", (event) => finish(event, event.failure.message));
}
