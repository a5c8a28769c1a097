import { defineConfig } from "vitest/config";

// `npm run test:deploy`: builds the images with podman, runs docker-compose.yml (beside the
// local platform, on other loopback ports) and checks it end to end through the Compose edge.
export const COMPOSE_EDGE_PORT = 18080;
export const COMPOSE_RTMP_PORT = 11935;
export const COMPOSE_EDGE_TLS_PORT = 18443;
export const COMPOSE_RTMPS_PORT = 11936;

export default defineConfig({
  test: {
    include: ["deploy/test/**/*.test.ts"],
    globalSetup: ["./deploy/test/compose-stack.ts"],
    // The shared test helpers (shared/src/testing) talk to the Compose edge.
    env: {
      EDGE_URL: `http://127.0.0.1:${COMPOSE_EDGE_PORT}`,
      RTMP_PORT: String(COMPOSE_RTMP_PORT),
      EDGE_TLS_PORT: String(COMPOSE_EDGE_TLS_PORT),
      RTMPS_PORT: String(COMPOSE_RTMPS_PORT),
    },
    testTimeout: 300_000,
    hookTimeout: 1_800_000,
    // Removing the stack (containers, network, volumes) takes a while.
    teardownTimeout: 180_000,
    fileParallelism: false,
  },
});
