// Which traces are kept, from OpenTelemetry's own variables (the @opentelemetry/sdk-trace package leaves them
// to us): the specification's sampler names, a ratio clamped to 0..1.
import { afterEach, describe, expect, it } from "vitest";
import { samplerFromEnv } from "../../src/observability/otel-recorder.ts";

const saved = { ...process.env };
afterEach(() => {
  process.env.OTEL_TRACES_SAMPLER = saved.OTEL_TRACES_SAMPLER;
  process.env.OTEL_TRACES_SAMPLER_ARG = saved.OTEL_TRACES_SAMPLER_ARG;
  if (saved.OTEL_TRACES_SAMPLER === undefined) delete process.env.OTEL_TRACES_SAMPLER;
  if (saved.OTEL_TRACES_SAMPLER_ARG === undefined) delete process.env.OTEL_TRACES_SAMPLER_ARG;
});

const named = (sampler?: string, arg?: string) => {
  if (sampler === undefined) delete process.env.OTEL_TRACES_SAMPLER;
  else process.env.OTEL_TRACES_SAMPLER = sampler;
  if (arg === undefined) delete process.env.OTEL_TRACES_SAMPLER_ARG;
  else process.env.OTEL_TRACES_SAMPLER_ARG = arg;
  return samplerFromEnv().toString();
};

describe("samplerFromEnv", () => {
  it("keeps every trace a caller kept, and every new one, by default", () => {
    expect(named()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
  });

  it("takes the specification's names and a ratio", () => {
    expect(named("always_off")).toBe("AlwaysOffSampler");
    expect(named("traceidratio", "0.25")).toBe("TraceIdRatioBased{0.25}");
    expect(named("parentbased_traceidratio", "0.1")).toMatch(
      /^ParentBased\{root=TraceIdRatioBased\{0.1\}/,
    );
    expect(named("parentbased_always_off")).toMatch(/^ParentBased\{root=AlwaysOffSampler/);
  });

  it("clamps a ratio to 0..1 and reads a malformed one as 1", () => {
    expect(named("traceidratio", "7")).toBe("TraceIdRatioBased{1}");
    expect(named("traceidratio", "half")).toBe("TraceIdRatioBased{1}");
  });
});
