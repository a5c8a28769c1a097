// The attacks of issue #23 performed against the running platform, each shown refused: account
// enumeration, locking an owner out by guessing, sign-up floods, revoked tokens, login CSRF,
// chunked bodies past the limit, and rate limits kept where every instance sees them. Clients
// come from addresses of their own on the loopback network (127.0.0.N), as distinct clients
// behind the edge would, so these budgets are not the ones other tests spend.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { serviceUrls } from "@stream-platform/shared";
import { createPool, SharedRateLimiter } from "@stream-platform/shared/postgres";
import {
  api,
  clientAt,
  freshAddress,
  newUser,
  platformServiceAddress,
  until,
} from "@stream-platform/shared/testing";
import { afterAll, describe, expect, it } from "vitest";
import { signInAgain } from "./routes.ts";

const edge = serviceUrls().edgeUrl;
const run = promisify(execFile);
const pool = createPool(undefined, 2);
afterAll(() => pool.end());

describe("accounts under attack", () => {
  it("cannot lock the owner out by guessing: guesses are limited, the owner still signs in", async () => {
    const owner = await newUser("lockout");
    const ownerAt = clientAt(freshAddress());
    // The owner signed in once before from their browser: it holds a device cookie.
    const before = await ownerAt("/api/sessions", {
      body: { email: owner.email, password: owner.password },
    });
    expect(before.status).toBe(200);
    const device = String(before.headers["set-cookie"])
      .split(/,(?=\s*\w+=)/)
      .map((c) => c.trim().split(";")[0])
      .find((c) => c?.startsWith("device="));
    expect(device).toBeDefined();

    const attacker = clientAt(freshAddress());
    const guesses: number[] = [];
    for (let i = 0; i < 15; i++)
      guesses.push(
        (await attacker("/api/sessions", { body: { email: owner.email, password: `guess-${i}` } }))
          .status,
      );
    expect(guesses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(guesses.slice(10)).toEqual(Array(5).fill(429));
    // Even the right password is refused to the guesser now…
    const guessed = await attacker("/api/sessions", {
      body: { email: owner.email, password: owner.password },
    });
    expect(guessed.status).toBe(429);
    // …while the owner signs in from elsewhere, and from the guesser's own address with their device.
    const elsewhere = await clientAt(freshAddress())("/api/sessions", {
      body: { email: owner.email, password: owner.password },
    });
    expect(elsewhere.status).toBe(200);
    const withDevice = await attacker("/api/sessions", {
      body: { email: owner.email, password: owner.password },
      headers: { cookie: device as string },
    });
    expect(withDevice.status).toBe(200);
  });

  it("holds sign-ups (password hashing) to a rate per address", async () => {
    const flooder = clientAt(freshAddress());
    // All at once, as a flood comes: beyond the burst of 60, 429 before any hashing.
    const statuses = await Promise.all(
      Array.from(
        { length: 100 },
        async () =>
          (
            await flooder("/api/users", {
              body: {
                email: `flood-${randomUUID()}@example.org`,
                password: "a long password",
                displayName: "F",
              },
            })
          ).status,
      ),
    );
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(60);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 202 || s === 429)).toBe(true);
  });

  it("refuses revoked tokens: signed out everywhere, at once here and within 5 s in every function", async () => {
    const user = await newUser("revoke");
    const second = await signInAgain(user);
    const sessions = await api<{ id: string; current: boolean }[]>("/api/me/sessions", {
      token: second,
    });
    expect(sessions.status).toBe(200);
    expect(sessions.body.length).toBe(2);
    expect(sessions.body.filter((s) => s.current).length).toBe(1);
    // Another function has just honoured the token (and remembers that for up to 5 s).
    expect((await api("/api/me/notifications", { token: user.token })).status).toBe(200);
    expect((await api("/api/me/sessions", { method: "DELETE", token: second })).status).toBe(204);
    expect((await api("/api/me", { token: user.token })).status).toBe(401);
    expect((await api("/api/me", { token: second })).status).toBe(401);
    // ACCOUNT_CACHE_MS (5 s) is the promise; a little margin for the request itself.
    await until(
      "the notifications function to refuse the revoked token",
      async () =>
        (await api("/api/me/notifications", { token: user.token })).status === 401 || undefined,
      5500,
      250,
    );
  });

  it("changes a password only with the current one, and ends every other session", async () => {
    const user = await newUser("password");
    const other = await signInAgain(user);
    const wrong = await api("/api/me/password", {
      token: user.token,
      body: { currentPassword: "not it", newPassword: "a new long password" },
    });
    expect(wrong.status).toBe(403);
    const changed = await api("/api/me/password", {
      token: user.token,
      body: { currentPassword: user.password, newPassword: "a new long password" },
    });
    expect(changed.status).toBe(204);
    expect((await api("/api/me", { token: user.token })).status).toBe(200);
    expect((await api("/api/me", { token: other })).status).toBe(401);
    const old = await api("/api/sessions", {
      body: { email: user.email, password: user.password },
    });
    expect(old.status).toBe(401);
  });

  it("rehashes an old scrypt hash at sign-in", async () => {
    const user = await newUser("rehash");
    // The hash of "pw-old-password" as the platform stored it before (scrypt, N = 2^14).
    const old =
      "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$QXPbtFO5RCiR7qzPofdX0XNwef3NnZEycFGxBwBJHDw=";
    await pool.query("update users set password_hash = $2 where id = $1", [user.id, old]);
    const signIn = await api("/api/sessions", {
      body: { email: user.email, password: "pw-old-password" },
    });
    expect(signIn.status).toBe(200);
    const { rows } = await pool.query("select password_hash from users where id = $1", [user.id]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(
      (await api("/api/sessions", { body: { email: user.email, password: "pw-old-password" } }))
        .status,
    ).toBe(200);
  });
});

describe("requests that are not what they claim", () => {
  it("refuses a form-encoded sign-in (login CSRF) with 415, and a cookie write from another origin with 403", async () => {
    const user = await newUser("csrf");
    const form = await fetch(`${edge}/api/sessions`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: user.email, password: user.password }).toString(),
    });
    expect(form.status).toBe(415);
    expect(form.headers.get("content-type")).toBe("application/problem+json");
    const text = await fetch(`${edge}/api/sessions`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(text.status).toBe(415);
    // An older browser sends no Sec-Fetch-Site: its Origin tells.
    const crossOrigin = await api("/api/channels", {
      body: { slug: `csrf-${randomUUID().slice(0, 8)}`, title: "x" },
      headers: { cookie: `session=${user.token}`, origin: "https://evil.example" },
    });
    expect(crossOrigin.status).toBe(403);
    const sameOrigin = await api("/api/channels", {
      body: { slug: `csrf-${randomUUID().slice(0, 8)}`, title: "x" },
      headers: { cookie: `session=${user.token}`, origin: edge },
    });
    expect(sameOrigin.status).toBe(201);
  });

  it("answers a chunked 2 MB body 413, at the edge and at the function itself", async () => {
    // curl sends the file chunked (no Content-Length) when told so, as a streaming client would.
    const body = join(tmpdir(), `chunked-${randomUUID()}.json`);
    writeFileSync(body, Buffer.alloc(2 * 1024 * 1024, "a"));
    const chunked = async (url: string) => {
      // The function closes the connection once it answered: curl then fails to send the rest
      // (exit 55) but has the answer.
      const { stdout } = await run("curl", [
        ...["-s", "-o", "/dev/null", "-w", "%{http_code} %{content_type}"],
        ...["-H", "transfer-encoding: chunked", "-H", "content-type: application/json"],
        ...["--data-binary", `@${body}`, url],
      ]).catch((error: { stdout: string }) => error);
      const [status, type] = stdout.split(" ");
      return { status: Number(status), type };
    };
    const atEdge = await chunked(`${edge}/api/users`);
    expect(atEdge).toEqual({ status: 413, type: "application/problem+json" });
    const direct = await chunked(`http://${await platformServiceAddress("accounts")}/api/users`);
    expect(direct).toEqual({ status: 413, type: "application/problem+json" });
    rmSync(body);
  });
});

describe("rate limits every instance sees", () => {
  it("keeps a limit spent through one instance in PostgreSQL, where any other instance (or a restarted one) finds it", async () => {
    const email = `shared-${randomUUID()}@example.org`;
    const address = `198.51.100.${Math.floor(Math.random() * 250)}`;
    // Straight to the function, as the edge would forward a client at `address`.
    const accounts = `http://${await platformServiceAddress("accounts")}`;
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${accounts}/api/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": address },
        body: JSON.stringify({ email, password: `guess-${i}` }),
      });
      expect(response.status).toBe(401);
    }
    // Another instance of the same limit — here, in this process — sees the budget spent.
    const elsewhere = new SharedRateLimiter("sign-in:failures", 1 / 6, 10, () => pool);
    expect(await elsewhere.peek(`${email}|${address}`)).toBeGreaterThan(0);
    expect(await elsewhere.peek(`${email}|198.51.100.254`)).toBe(0);
    const { rows } = await pool.query("select count(*)::int as n from rate_limits where key = $1", [
      `sign-in:failures:${email}|${address}`,
    ]);
    expect(rows[0].n).toBe(1);
  });
});
