// Password hashes: the production parameters are OWASP's (no lower cost anywhere, tests
// included), old scrypt hashes still verify and are marked for a rehash.
import { randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  hashPassword,
  needsRehash,
  PASSWORD_PARAMS,
  verifyPassword,
} from "../../src/auth/password.ts";

describe("password hashes", () => {
  it("are Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane)", async () => {
    expect(PASSWORD_PARAMS).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const stored = await hashPassword("correct horse");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("wrong horse", stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it("still verify an old scrypt hash, which needs a rehash", async () => {
    const salt = randomBytes(16);
    const key = scryptSync("correct horse", salt, 32, { N: 16384, r: 8, p: 1 });
    const old = ["scrypt", 16384, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
    expect(await verifyPassword("correct horse", old)).toBe(true);
    expect(await verifyPassword("wrong horse", old)).toBe(false);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA")).toBe(true);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
});
