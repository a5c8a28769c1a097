// The Elasticsearch client, configured from ELASTICSEARCH_URL like every other server address.
import { Client, errors } from "@elastic/elasticsearch";
import { serviceUrls } from "./config.ts";

export function createElasticsearch(name = "stream-platform"): Client {
  return new Client({
    node: serviceUrls().elasticsearchUrl,
    name,
    // Fail fast and let the caller (a 503, or Knative's retry) decide: a search that waits
    // 30 s for a restarting node helps nobody.
    requestTimeout: 10_000,
    maxRetries: 1,
  });
}

/** Elasticsearch is down, restarting or overloaded: worth a retry, not a 500. */
export function elasticsearchUnavailable(error: unknown): boolean {
  if (
    error instanceof errors.ConnectionError ||
    error instanceof errors.NoLivingConnectionsError ||
    error instanceof errors.TimeoutError
  ) {
    return true;
  }
  return (
    error instanceof errors.ResponseError && [429, 502, 503, 504].includes(error.statusCode ?? 0)
  );
}
