// Which errors mean "a store is down or restarting" (the caller should come back: 503 with
// Retry-After) rather than "this request failed" (500). Recognised by the clients' error names
// and codes, so the router loads none of the drivers.

interface ErrorShape {
  name?: string;
  code?: string | number;
  statusCode?: number;
  message?: string;
}

const shape = (error: unknown): ErrorShape =>
  error !== null && typeof error === "object" ? (error as ErrorShape) : {};

/** Elasticsearch down, restarting or overloaded. */
function elasticsearchUnavailable({ name, statusCode }: ErrorShape): boolean {
  if (name === "ConnectionError" || name === "NoLivingConnectionsError" || name === "TimeoutError")
    return true;
  return name === "ResponseError" && [429, 502, 503, 504].includes(statusCode ?? 0);
}

/** The MongoDB driver's errors for a server it cannot reach (FerretDB stopped, say). */
const MONGODB_UNREACHABLE = new Set([
  "MongoServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoPoolClearedError",
  "MongoTopologyClosedError",
]);

/** FerretDB answers, but the PostgreSQL it stores into does not. */
const FERRETDB_BACKEND_DOWN = /failed to connect to `|dial error|connection refused/;

function mongodbUnavailable({ name, message }: ErrorShape): boolean {
  if (name && MONGODB_UNREACHABLE.has(name)) return true;
  return name === "MongoServerError" && FERRETDB_BACKEND_DOWN.test(message ?? "");
}

/** node-postgres: no connection, or the server is shutting down, starting or full. */
const POSTGRES_UNAVAILABLE_CODES = new Set(["57P01", "57P02", "57P03", "53300"]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"]);

function postgresUnavailable({ code, message }: ErrorShape): boolean {
  if (typeof code === "string" && (POSTGRES_UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code)))
    return true;
  // The last: a query on a client whose connection was lost while it was checked out.
  return /Connection terminated|timeout exceeded when trying to connect|is not queryable/.test(
    message ?? "",
  );
}

/** A database or search engine that is down or restarting: the caller should retry. */
export function storeUnavailable(error: unknown): boolean {
  const e = shape(error);
  return elasticsearchUnavailable(e) || mongodbUnavailable(e) || postgresUnavailable(e);
}
