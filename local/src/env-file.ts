// Imported first by the CLI: local/.env is in place before any module reads the environment.
import { join } from "node:path";
import { loadEnvFileIfPresent } from "@stream-platform/shared/env-file";

loadEnvFileIfPresent(join(import.meta.dirname, "..", ".env"));
