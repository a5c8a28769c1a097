import { defineConfig } from "vitest/config";

// Tests that load the machine — live ingest encodes video, Chromium renders, processes spawn
// and stop — would starve the timing checks of the tests beside them on a small machine
// (search within 2 s, say), so they run in a group of their own, after the others.
const HEAVY = [
  "stream-server/test/ingest.test.ts",
  "stream-server/test/ingest-shapes.test.ts",
  "stream-server/test/posters.test.ts",
  "stream-server/test/key-rotation.test.ts",
  "bench/test/report.test.ts",
  "local/test/scale-to-zero.test.ts",
  // Kills and restarts the analytics function: a blip for the tests beside it.
  "local/test/shared-rate-limits.test.ts",
  "web/test/journey.test.ts",
  "web/test/chat.test.ts",
  "web/test/event-stream.test.ts",
  "web/test/web-polish.test.ts",
  "web/test/a11y.test.ts",
  "web/test/password-reset.test.ts",
  "web/test/email-preferences.test.ts",
  "web/test/browse.test.ts",
  "web/test/dates.test.ts",
  "web/test/watch-end.test.ts",
  "web/test/player.test.ts",
  "web/test/notifications-ux.test.ts",
  "web/test/subscribing.test.ts",
  "web/test/dashboard.test.ts",
  "web/test/history.test.ts",
  "web/test/related.test.ts",
  "web/test/inbox-search.test.ts",
  "web/test/trending.test.ts",
  "web/test/for-you.test.ts",
  "web/test/posters.test.ts",
  "web/test/poster-upload.test.ts",
  "web/test/ops-console.test.ts",
  "local/test/transport.test.ts",
];

// Reads the logs everything else wrote, and spends the loopback address's rate budgets.
const LAST = ["local/test/log-scan.test.ts", "local/test/rate-limits.test.ts"];

// Pure logic, called with values: no server, so they run anywhere in a second or two
// (`npx vitest run --project unit`).
const UNIT = ["**/test/unit/**/*.test.ts"];

// The servers are brought up once by `pretest` (local/src/cli.ts up); this only checks them.
const servers = ["./local/test/global-setup.ts"];

export default defineConfig({
  test: {
    exclude: ["**/node_modules/**", ".data/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test files share the servers but isolate by their own topics, databases and indices.
    fileParallelism: true,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: UNIT, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: "platform",
          include: ["**/test/**/*.test.ts"],
          // deploy/test: `npm run test:deploy`, against the Compose stack.
          exclude: ["**/node_modules/**", ".data/**", "deploy/**", ...UNIT, ...HEAVY, ...LAST],
          globalSetup: servers,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: "heavy", include: HEAVY, globalSetup: servers, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: "last", include: LAST, globalSetup: servers, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
