// Functions-framework targets of the search function (run with shared/src/hosting/main.ts):
//   api      HTTP: /api/search, /api/search/suggest
//   indexer  CloudEvents from the events and channels topics (KafkaSource)
import { http } from "@google-cloud/functions-framework";
import { cloudEventBatchTarget, whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { indexer, ready, search } from "./service.ts";

const router = routes(search);
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res)),
);

// A batch-mode request is indexed in one go: its documents share bulk requests.
http(
  "indexer",
  whenReady(
    ready,
    cloudEventBatchTarget((events) => indexer.applyAll(events)),
  ),
);
