// Functions-framework targets of the ingress. Run with shared/src/hosting/main.ts.
import { http } from "@google-cloud/functions-framework";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { createIngest } from "./ingest.ts";

const publisher = new EventPublisher(createKafka("ingress"));
onShutdown(() => publisher.disconnect());

http("ingest", createIngest(publisher));
