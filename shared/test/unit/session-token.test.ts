import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { signSession, verifySession } from "../../src/auth/jwt.ts";
import { HttpProblem } from "../../src/http/problem.ts";

const refusal = (token: string) =>
  verifySession(token).then(
    () => "accepted",
    (error: unknown) => (error instanceof HttpProblem ? error.problem.detail : String(error)),
  );

describe("session tokens (verified once, then remembered until they expire)", () => {
  beforeAll(() => {
    process.env.JWT_SECRET ??= "a-test-secret-of-at-least-thirty-two-characters";
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("accepts a token again from memory, and refuses it once it has expired", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-02T10:00:00Z"));
    const token = await signSession("usr_a", "ses_a", 60);
    const first = await verifySession(token);
    expect(first).toEqual({ userId: "usr_a", sessionId: "ses_a" });
    // From memory: the very session the first check made, not a second verification's.
    expect(await verifySession(token)).toBe(first);
    vi.setSystemTime(new Date("2026-12-02T10:01:01Z"));
    expect(await refusal(token)).toBe("the session token has expired");
    expect(await refusal(token)).toBe("the session token has expired");
  });

  it("takes only the very token it verified: one with another signature is refused", async () => {
    const token = await signSession("usr_b", "ses_b", 60);
    expect(await verifySession(token)).toEqual({ userId: "usr_b", sessionId: "ses_b" });
    const [head, body, signature = ""] = token.split(".");
    const forged = `${head}.${body}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
    expect(await refusal(forged)).toBe("the session token is not valid");
  });
});
