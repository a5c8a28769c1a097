// A function process as Knative runs it: functions-framework target, /healthz, and a SIGTERM
// that lets in-flight requests finish before the process exits.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const port = 18190;
const url = `http://127.0.0.1:${port}`;

async function ready(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the function never became ready");
}

describe("function hosting", () => {
  it("serves the target, answers /healthz, and drains in-flight requests on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(here, "..", "src", "hosting", "main.ts")],
      {
        env: {
          ...process.env,
          FUNCTION_SOURCE: join(here, "fixtures", "slow-function.ts"),
          FUNCTION_TARGET: "slow",
          PORT: String(port),
        },
        stdio: "ignore",
      },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    await ready();
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", target: "slow" });

    const inFlight = fetch(`${url}/?ms=700`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGTERM");
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ waited: 700 });
    expect(await exited).toBe(0);
    // Gone: nothing listens any more.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
