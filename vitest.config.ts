import { defineConfig } from "vitest/config";

// Live ingest encodes video and drives Chromium: on a small machine it would starve the timing
// checks of the tests beside it (search within 2 s, say), so it runs in a group of its own,
// after the others.
const HEAVY = ["stream-server/test/ingest.test.ts"];

export default defineConfig({
  test: {
    exclude: ["**/node_modules/**", ".data/**"],
    // The servers are brought up once by `pretest` (local/src/cli.ts up); this only checks them.
    globalSetup: ["./local/test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test files share the servers but isolate by their own topics, databases and indices.
    fileParallelism: true,
    projects: [
      {
        extends: true,
        test: {
          name: "platform",
          include: ["**/test/**/*.test.ts"],
          exclude: ["**/node_modules/**", ".data/**", ...HEAVY],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: "ingest", include: HEAVY, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
