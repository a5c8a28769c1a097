// A process's `.env` (beside its `.env.example`), read when it exists. Node's loader never
// overrides a variable the environment already sets, so the real environment (local/, a
// container's env, a cluster's ConfigMap) always wins over the file.
import { existsSync } from "node:fs";

export function loadEnvFileIfPresent(path: string): boolean {
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}
