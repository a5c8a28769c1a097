// Rate limits where guessing and flooding start: sign-in (per address and per account), anonymous
// posts to /ce, and RTMP publish attempts. Runs in the last group: it spends the loopback
// address's budget, which every other test shares.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { localPorts, serviceUrls } from "@stream-platform/shared";
import { ingressToken, until } from "@stream-platform/shared/testing";
import { describe, expect, it } from "vitest";
import { logDir } from "../src/paths.ts";

const edge = serviceUrls().edgeUrl;

async function burst(count: number, send: () => Promise<Response>): Promise<Response[]> {
  return Promise.all(Array.from({ length: count }, send));
}

function expectTooMany(responses: Response[]): void {
  const limited = responses.filter((r) => r.status === 429);
  expect(limited.length).toBeGreaterThan(0);
  for (const r of limited) {
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
  }
}

describe("rate limits", () => {
  it("stops guessing one account's password with 429 and Retry-After", async () => {
    const email = `nobody-${randomUUID()}@example.org`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${edge}/api/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: `guess-${i}` }),
      });
      statuses.push(response.status);
      if (response.status === 429) expectTooMany([response]);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it("stops a flood of sign-ins from one address", async () => {
    const responses = await burst(160, () =>
      fetch(`${edge}/api/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    );
    expectTooMany(responses);
    expect(responses.filter((r) => r.status === 400).length).toBeGreaterThan(0);
  });

  it("holds anonymous posts to /ce to a rate, not the platform's producers", async () => {
    const post = (authorization?: string) => () =>
      fetch(`${edge}/ce`, {
        method: "POST",
        headers: {
          "content-type": "application/cloudevents+json",
          ...(authorization && { authorization }),
        },
        body: "{}",
      });
    expectTooMany(await burst(120, post()));
    const trusted = await burst(120, post(`Bearer ${ingressToken()}`));
    expect(new Set(trusted.map((r) => r.status))).toEqual(new Set([400]));
  });

  it("refuses RTMP publish attempts beyond the rate, before looking at the key", async () => {
    // Beyond the burst of 20 at once (the attempts spread over a few seconds while ffmpeg starts).
    const attempts = Array.from({ length: 45 }, () =>
      spawn(
        "ffmpeg",
        [
          ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "color=size=64x64:rate=5"],
          ...["-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-f", "flv"],
          `rtmp://127.0.0.1:${localPorts().rtmp}/live/sk_not-a-key-${randomUUID()}`,
        ],
        { stdio: "ignore" },
      ),
    );
    await Promise.all(attempts.map((p) => new Promise((resolve) => p.once("exit", resolve))));
    const log = join(logDir, "stream-server.log");
    await until("a refusal for the rate", () =>
      readFileSync(log, "utf8").includes("too many publish attempts from this address")
        ? true
        : undefined,
    );
  });
});
