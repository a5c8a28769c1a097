// The Elasticsearch client, configured from ELASTICSEARCH_URL like every other server address.
// Its own entry point (`@stream-platform/shared/elasticsearch`): the client takes ~190 ms to
// load, a cold-start cost only the functions that search should pay.
import { Client } from "@elastic/elasticsearch";
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
