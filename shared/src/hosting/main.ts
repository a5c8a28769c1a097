// The entry point of every function process (locally, and in the container image):
//   FUNCTION_SOURCE=functions/x/src/index.ts FUNCTION_TARGET=name PORT=8080 tsx shared/src/hosting/main.ts
import { resolve } from "node:path";
import { hostFunction } from "./host.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set: which function should this process serve?`);
    process.exit(2);
  }
  return value;
}

const target = required("FUNCTION_TARGET");
const source = resolve(required("FUNCTION_SOURCE"));
const port = Number(process.env.PORT ?? 8080);

const maxBodyBytes = process.env.MAX_BODY_BYTES ? Number(process.env.MAX_BODY_BYTES) : undefined;
const hosted = await hostFunction({
  source,
  target,
  port,
  host: process.env.HOST ?? "127.0.0.1",
  maxBodyBytes,
});
console.log(JSON.stringify({ level: "info", msg: "serving", target, port: hosted.port }));

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ level: "info", msg: "draining", target, signal }));
    hosted.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(
          JSON.stringify({ level: "error", msg: "shutdown failed", error: String(error) }),
        );
        process.exit(1);
      },
    );
  });
}
