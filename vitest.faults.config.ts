import { defineConfig } from "vitest/config";

// `npm run test:faults`: the fault drill kills the shared servers, so it runs alone, never
// beside `npm test`'s files.
export default defineConfig({
  test: {
    include: ["faults/**/*.test.ts"],
    globalSetup: ["./local/test/global-setup.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
