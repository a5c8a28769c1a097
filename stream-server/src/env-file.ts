// Imported first by the entry points: stream-server/.env is in place before any module reads
// the environment at load time (nms.ts's log level, the gRPC contracts' directory).
import { join } from "node:path";
import { loadEnvFileIfPresent } from "@stream-platform/shared/env-file";

loadEnvFileIfPresent(join(import.meta.dirname, "..", ".env"));
