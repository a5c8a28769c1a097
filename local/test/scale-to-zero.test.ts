// Scale to zero, locally (local/src/eventing/activator.ts): a Service with no process answers
// its first request (held until the process is ready), and its process is gone once it has been
// idle for the manifest's retention period; the next request starts it again.
import { join } from "node:path";
import { until } from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goDurationMs, scalePolicy } from "../src/eventing/activator.ts";
import { type Runtime, startRuntime } from "../src/eventing/runtime.ts";
import { logDir, repoRoot } from "../src/paths.ts";

let runtime: Runtime;
const hello = () => {
  const service = runtime.status().services.find((s) => s.name === "hello");
  if (!service) throw new Error("no hello Service");
  return service;
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  runtime = await startRuntime({
    dirs: [join(repoRoot, "local", "test", "fixtures", "scale-to-zero")],
    basePort: 18300,
    statusPort: 0,
    logDir: join(logDir, "test"),
    log: () => undefined,
  });
});

afterAll(() => runtime?.stop());

describe("scale to zero", () => {
  it("reads Knative's annotations", () => {
    expect(goDurationMs("1m5s")).toBe(65_000);
    expect(goDurationMs("500ms")).toBe(500);
    expect(() => goDurationMs("5 minutes")).toThrow(/not a duration/);
    expect(scalePolicy({ "autoscaling.knative.dev/min-scale": "1" })).toEqual({
      startAtBoot: true,
    });
    expect(
      scalePolicy({
        "autoscaling.knative.dev/initial-scale": "0",
        "autoscaling.knative.dev/scale-to-zero-pod-retention-period": "30s",
      }),
    ).toEqual({ idleMs: 30_000, startAtBoot: false });
  });

  it("starts on the first request, stops when idle, starts again", async () => {
    expect(hello()).toMatchObject({ state: "idle", coldStarts: 0 });
    expect(hello().pid).toBeUndefined();

    const first = await fetch(`${hello().url}/`);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe("hello");
    const pid = hello().pid as number;
    expect(pid).toBeGreaterThan(0);
    expect(hello()).toMatchObject({ state: "ready", coldStarts: 1 });

    // One idle second (the manifest's retention period), then the process is gone.
    await until("scaled to zero", () => (hello().state === "idle" ? true : undefined), 10_000);
    await until("the process gone", () => (alive(pid) ? undefined : true), 10_000);
    expect(hello()).toMatchObject({ scaledDown: 1 });

    const again = await fetch(`${hello().url}/`);
    expect(await again.text()).toBe("hello");
    expect(hello()).toMatchObject({ state: "ready", coldStarts: 2 });
  });
});
