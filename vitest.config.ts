import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", ".data/**"],
    // The servers are brought up once by `pretest` (local/src/cli.ts up); this only checks them.
    globalSetup: ["./local/test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test files share the servers but isolate by their own topics, databases and indices.
    fileParallelism: true,
  },
});
