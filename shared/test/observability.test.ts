// Logs, traces and metrics of a function process: every record a JSON line with its level,
// time, service and trace, secrets masked, LOG_LEVEL obeyed; a request continues its caller's
// trace, and what it emits continues it further; GET /metrics shows each route's requests.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hostFunction } from "../src/hosting/host.ts";

const here = dirname(fileURLToPath(import.meta.url));

function logLines(env: Record<string, string>) {
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", join(here, "fixtures", "log-lines.ts")],
    {
      env: { ...process.env, K_SERVICE: "log-test", ...env },
      encoding: "utf8",
    },
  );
  expect(run.status).toBe(0);
  const parse = (text: string) =>
    text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stdout: parse(run.stdout), stderr: parse(run.stderr), raw: run.stdout + run.stderr };
}

describe("logs", () => {
  it("write one JSON record a line: level, time, service, trace ids; warnings and errors on stderr", () => {
    const { stdout, stderr } = logLines({ LOG_LEVEL: "info" });
    expect(stdout.map((r) => r.msg)).toEqual(["plain", expect.stringContaining("publish")]);
    expect(stderr.map((r) => [r.level, r.msg])).toEqual([
      ["warn", "in a span"],
      ["error", "broken"],
    ]);
    const plain = stdout[0] as Record<string, unknown>;
    expect(plain).toMatchObject({ level: "info", service: "log-test", count: 3 });
    expect(new Date(plain.time as string).toISOString()).toBe(plain.time);
    expect(plain.trace_id).toBeUndefined();
    expect(stderr[0]).toMatchObject({ trace_id: "0af7651916cd43dd8448eb211c80319c" });
    expect(stderr[0]?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(stderr[0]?.span_id).not.toBe("b7ad6b7169203331");
  });

  it("mask secrets: fields named like one, stream keys and tokens inside any text", () => {
    const { stdout, raw } = logLines({});
    const secretive = stdout[1] as Record<string, unknown>;
    expect(secretive).toMatchObject({
      msg: "publish rtmp://127.0.0.1/live/sk_[redacted]",
      password: "[redacted]",
      headers: { authorization: "[redacted]", cookie: "[redacted]" },
      user: { streamKey: "[redacted]", name: "ann" },
      error: "GET /reset-password?token=[redacted] failed",
    });
    expect(raw).not.toMatch(/sk_[kq]{32}|pw-0123|Bearer abc|session=x|t{43}/);
  });

  it("obey LOG_LEVEL: debug shows details, error only errors, an unknown level is named", () => {
    expect(logLines({ LOG_LEVEL: "debug" }).stdout.map((r) => r.msg)[0]).toBe("a detail");
    const quiet = logLines({ LOG_LEVEL: "error" });
    expect([...quiet.stdout, ...quiet.stderr].map((r) => r.msg)).toEqual(["broken"]);
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", join(here, "fixtures", "log-lines.ts")],
      {
        env: { ...process.env, LOG_LEVEL: "loud" },
        encoding: "utf8",
      },
    );
    expect(run.stderr).toContain(
      'LOG_LEVEL="loud" is not one of debug, info, warn, error: using info',
    );
  });
});

describe("a function's trace and metrics", () => {
  it("continues the caller's trace into what it emits, and counts each route's requests", async () => {
    const hosted = await hostFunction({
      source: join(here, "fixtures", "traced-function.ts"),
      target: "traced",
      port: 0,
    });
    const at = `http://127.0.0.1:${hosted.port}`;
    try {
      const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      const answer = await fetch(`${at}/items/42`, { headers: { traceparent: caller } });
      const body = (await answer.json()) as {
        span: { traceId: string; spanId: string; parentSpanId: string };
        eventTraceparent: string;
      };
      expect(body.span).toMatchObject({
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        parentSpanId: "00f067aa0ba902b7",
      });
      expect(body.eventTraceparent).toBe(`00-${body.span.traceId}-${body.span.spanId}-01`);
      // A malformed traceparent starts a new trace rather than continuing a broken one.
      const fresh = (await (
        await fetch(`${at}/items/43`, { headers: { traceparent: "00-zz-00-01" } })
      ).json()) as { span: { traceId: string; parentSpanId?: string } };
      expect(fresh.span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(fresh.span.parentSpanId).toBeUndefined();
      expect((await fetch(`${at}/nowhere`)).status).toBe(404);

      const scrape = await fetch(`${at}/metrics`);
      expect(scrape.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const text = await scrape.text();
      expect(text).toContain("# TYPE http_server_request_duration_seconds histogram");
      expect(text).toContain(
        'http_server_request_duration_seconds_count{method="GET",route="/items/:id",status="200"} 2',
      );
      expect(text).toContain(
        'http_server_request_duration_seconds_bucket{method="GET",route="/items/:id",status="200",le="+Inf"} 2',
      );
      expect(text).toContain(
        'http_server_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1',
      );
      // Paths never become labels; the scrape itself is not counted.
      expect(text).not.toMatch(/items\/4[23]|route="\/metrics"/);
      expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
      expect(text).toMatch(/^process_cpu_seconds_total [\d.]+$/m);
    } finally {
      await hosted.shutdown(1000);
    }
  });
});
