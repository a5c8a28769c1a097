import { randomBytes } from "node:crypto";

/**
 * A name no other test (or earlier run) uses: tests share the servers and isolate themselves by
 * their own topics, databases and indices. Lower case, so it suits every server's naming rules.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}
