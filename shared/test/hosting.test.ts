// A function process as Knative runs it: functions-framework target, /healthz, and a SIGTERM
// that lets in-flight requests finish before the process exits.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hostFunction } from "../src/hosting/host.ts";

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

describe("containerConcurrency (CONTAINER_CONCURRENCY where no queue-proxy enforces it)", () => {
  it("holds what is over the limit in line, answers 503 with Retry-After beyond the line, and loses none of those it took", async () => {
    const fixture = join(here, "fixtures", "gated-function.ts");
    const { gate } = await import("./fixtures/gated-function.ts");
    const hosted = await hostFunction({
      source: fixture,
      target: "gated",
      port: 0,
      containerConcurrency: 2,
    });
    const at = `http://127.0.0.1:${hosted.port}/`;
    try {
      // Two in the function, twenty in line (ten times the concurrency, as queue-proxy holds):
      // the last in line is a caller that will give up.
      const taken = Array.from({ length: 21 }, () => fetch(at));
      await until(() => gate().waiting === 2 && hosted.load().queued === 19);
      const impatient = new AbortController();
      const leaving = fetch(at, { signal: impatient.signal }).catch((e: Error) => e.name);
      await until(() => hosted.load().queued === 20);
      const refused = await fetch(at);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.headers.get("content-type")).toBe("application/problem+json");
      expect(((await refused.json()) as { detail: string }).detail).toMatch(
        /2 requests at once, 20 waiting/,
      );
      // The health probe is never held in line.
      expect((await fetch(`${at}healthz`)).status).toBe(200);
      // The one that gives up leaves the line, and its place is free for the next.
      impatient.abort();
      await expect(leaving).resolves.toBe("AbortError");
      await until(() => hosted.load().queued === 19);
      const next = fetch(at);
      await until(() => hosted.load().queued === 20);
      gate().open();
      const answers = await Promise.all([...taken, next]);
      expect(answers.map((r) => r.status)).toEqual(Array(22).fill(200));
      // Everyone in line was served; the one that left never reached the function.
      expect(gate().waiting).toBe(22);
      expect(hosted.load()).toEqual({ active: 0, queued: 0 });
    } finally {
      await hosted.shutdown(1000);
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe("what a function is given", () => {
  const fixture = join(here, "fixtures", "echo-function.ts");
  const post = (port: number, body: string, type?: string) =>
    fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      headers: { "user-agent": "host-test", ...(type && { "content-type": type }) },
      body,
    });
  const echoed = async (answer: Response) => (await answer.json()) as { body: unknown };

  it("an HTTP function: the body as the framework parses it, outside any domain; bad input is a problem", async () => {
    const hosted = await hostFunction({ source: fixture, target: "echo", port: 0 });
    try {
      const json = await post(hosted.port, '{"a":1}', "application/json");
      expect(await json.json()).toEqual({
        body: { a: 1 },
        rawBody: '{"a":1}',
        inDomain: false,
        agent: "host-test",
      });
      const text = await post(hosted.port, "plain words", "text/plain");
      expect((await echoed(text)).body).toBe("plain words");
      const form = await post(hosted.port, "a=1&b=two", "application/x-www-form-urlencoded");
      expect((await echoed(form)).body).toEqual({ a: "1", b: "two" });
      const bytes = await post(hosted.port, "12345", "application/octet-stream");
      expect((await echoed(bytes)).body).toBe("5 bytes");
      const marked = await post(hosted.port, '\uFEFF{"a":2}', "application/json");
      expect((await echoed(marked)).body).toEqual({ a: 2 });
      for (const bad of ["{not json", "42", "  "]) {
        const refused = await post(hosted.port, bad, "application/json");
        expect(refused.status).toBe(400);
        expect(refused.headers.get("content-type")).toBe("application/problem+json");
        expect(((await refused.json()) as { errors: unknown }).errors).toEqual([
          { field: "body", detail: "malformed JSON" },
        ]);
      }
    } finally {
      await hosted.shutdown(0);
    }
  });

  it("a function that throws answers 500 as a problem (or its own problem), and the process goes on", async () => {
    const hosted = await hostFunction({ source: fixture, target: "crash", port: 0 });
    try {
      for (const [path, status] of [
        ["/", 500],
        ["/", 500],
        ["/?problem", 409],
      ] as const) {
        const answer = await fetch(`http://127.0.0.1:${hosted.port}${path}`);
        expect(answer.status).toBe(status);
        expect(answer.headers.get("content-type")).toBe("application/problem+json");
      }
    } finally {
      await hosted.shutdown(0);
    }
  });

  it("a CloudEvent function: served by the framework, binary mode", async () => {
    const hosted = await hostFunction({ source: fixture, target: "echoEvent", port: 0 });
    const { received } = await import("./fixtures/echo-function.ts");
    try {
      const answer = await fetch(`http://127.0.0.1:${hosted.port}/`, {
        method: "POST",
        headers: {
          "ce-specversion": "1.0",
          "ce-id": "host-test-1",
          "ce-type": "test.echo",
          "ce-source": "/test",
          "content-type": "application/json",
        },
        body: '{"n":1}',
      });
      expect(answer.status).toBeLessThan(300);
      expect(received).toContainEqual({ id: "host-test-1", data: { n: 1 } });
    } finally {
      await hosted.shutdown(0);
    }
  });
});
