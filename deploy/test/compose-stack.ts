// Global setup of `npm run test:deploy`: the images built (or found by their content hash) and
// docker-compose.yml brought up with podman; everything removed afterwards, failed or not.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  buildImages,
  composeDown,
  composeUp,
  localComposeFile,
  type Stack,
  saveLogs,
} from "../../local/src/deploy/podman.ts";
import { logDir } from "../../local/src/paths.ts";
import { progress } from "../../local/src/report.ts";
import { COMPOSE_EDGE_PORT, COMPOSE_RTMP_PORT } from "../../vitest.deploy.config.ts";

let stack: Stack | undefined;
let serviceNames: string[] = [];
/** Where each container's log is kept when the stack is removed. */
const LOGS = join(logDir, "compose");

export async function setup(): Promise<void> {
  const images = await buildImages();
  const { file, services } = localComposeFile(images);
  serviceNames = Object.keys(services);
  const secret = () => randomBytes(24).toString("base64url");
  stack = {
    project: "stream-platform-test",
    file,
    env: {
      POSTGRES_PASSWORD: randomBytes(24).toString("hex"),
      JWT_SECRET: secret(),
      STREAM_KEY_SECRET: secret(),
      INGRESS_TOKEN: secret(),
      INTERNAL_TOKEN: secret(),
      EDGE_PORT: String(COMPOSE_EDGE_PORT),
      RTMP_PORT: String(COMPOSE_RTMP_PORT),
    },
  };
  // A stack left by an interrupted run would hold the ports.
  await composeDown(stack);
  try {
    await composeUp(stack, services);
  } catch (error) {
    saveLogs(stack, serviceNames, LOGS);
    await composeDown(stack);
    throw error;
  }
  progress("compose", `the stack answers at http://127.0.0.1:${COMPOSE_EDGE_PORT}`);
}

export async function teardown(): Promise<void> {
  if (!stack) return;
  saveLogs(stack, serviceNames, LOGS);
  progress("compose", `each container's log: ${LOGS}/SERVICE.log`);
  await composeDown(stack);
}
