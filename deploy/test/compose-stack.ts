// Global setup of `npm run test:deploy`: the images built (or found by their content hash) and
// docker-compose.yml brought up with podman; everything removed afterwards, failed or not.
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  buildImages,
  composeDown,
  composeUp,
  localComposeFile,
  type Stack,
  saveLogs,
} from "../../local/src/deploy/podman.ts";
import { dataDir, logDir } from "../../local/src/paths.ts";
import { progress } from "../../local/src/report.ts";
import { edgeTls } from "../../local/src/servers/tls.ts";
import {
  COMPOSE_EDGE_PORT,
  COMPOSE_EDGE_TLS_PORT,
  COMPOSE_RTMP_PORT,
  COMPOSE_RTMPS_PORT,
} from "../../vitest.deploy.config.ts";

let stack: Stack | undefined;
let serviceNames: string[] = [];
/** Where each container's log is kept when the stack is removed. */
const LOGS = join(logDir, "compose");

/**
 * The Compose edge's certificate: local/'s (for 127.0.0.1, by local/'s CA, which the tests
 * trust), copied for the image's NGINX (www-data, uid 33) to read, as a deployment would own it.
 */
function edgeCertificate(): { cert: string; key: string } {
  const dir = join(dataDir, "compose-tls");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const copy = (from: string, name: string, mode: number) => {
    const to = join(dir, name);
    copyFileSync(from, to);
    chownSync(to, 33, 33);
    chmodSync(to, mode);
    return to;
  };
  return {
    cert: copy(edgeTls().cert, "tls.crt", 0o444),
    key: copy(edgeTls().key, "tls.key", 0o400),
  };
}

export async function setup(): Promise<void> {
  const images = await buildImages();
  const tls = edgeCertificate();
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
      EDGE_TLS_PORT: String(COMPOSE_EDGE_TLS_PORT),
      RTMPS_PORT: String(COMPOSE_RTMPS_PORT),
      EDGE_TLS_CERT: tls.cert,
      EDGE_TLS_KEY: tls.key,
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
