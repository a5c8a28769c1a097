import { elasticsearch } from "./elasticsearch.ts";
import { ferretdb } from "./ferretdb.ts";
import { jaeger } from "./jaeger.ts";
import { kafka } from "./kafka.ts";
import { mailpit } from "./mailpit.ts";
import { nginx } from "./nginx.ts";
import { platform } from "./platform.ts";
import { postgres } from "./postgres.ts";
import { streamServer } from "./stream-server.ts";
import type { Server } from "./types.ts";
import { victoriaMetrics } from "./victoria-metrics.ts";

/** Every server local/ runs, in start order (dependencies first). */
export const servers: Server[] = [
  postgres,
  ferretdb,
  kafka,
  elasticsearch,
  mailpit,
  jaeger,
  victoriaMetrics,
  platform,
  nginx,
  streamServer,
];
