// Passwords are stored as Argon2id hashes (PHC strings) with OWASP's parameters: 19 MiB of
// memory, 2 passes, 1 lane. Hashes made before (scrypt, `scrypt$N$r$p$salt$hash`) still verify,
// and a sign-in that verifies one stores the password again with the current parameters.
// Hashing runs on libuv's threads; at most a few at once per process, so a flood of sign-ups
// waits its turn (or is told to come back) instead of taking every thread from sign-ins.
import {
  randomBytes,
  type ScryptOptions,
  scrypt as scryptCallback,
  timingSafeEqual,
} from "node:crypto";
import { createRequire } from "node:module";

// The native addon loads on first use: only the accounts function hashes passwords, and loading
// it is a few ms of every other function's cold start. Through require: a production bundle
// runs in a vm.Script (hosting/code-cache.ts), where import() has no loader.
let addon: typeof import("@node-rs/argon2") | undefined;
const argon2 = () => {
  addon ??= createRequire(import.meta.url)("@node-rs/argon2") as typeof import("@node-rs/argon2");
  return addon;
};

// Algorithm.Argon2id of the package (a const enum, which isolated modules cannot read).
const ARGON2ID = 2;

import { HttpProblem, serviceUnavailable } from "../http/problem.ts";

/** OWASP Password Storage Cheat Sheet, Argon2id's first configuration. */
export const PASSWORD_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const IN_FLIGHT = 4;
const QUEUE = 64;
let running = 0;
const waiting: (() => void)[] = [];

/** Runs password work a few at a time; beyond a queue, a 503 to try again. */
async function gated<T>(work: () => Promise<T>): Promise<T> {
  if (running >= IN_FLIGHT) {
    if (waiting.length >= QUEUE)
      throw new HttpProblem(serviceUnavailable("too many password checks at once; try again", 1));
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running += 1;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

export function hashPassword(password: string): Promise<string> {
  return gated(async () => argon2().hash(password, { ...PASSWORD_PARAMS, algorithm: ARGON2ID }));
}

const scrypt = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );

async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, digest] = stored.split("$");
  if (!salt || !digest) return false;
  const expected = Buffer.from(digest, "base64");
  const key = await scrypt(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return timingSafeEqual(key, expected);
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return gated(async () => {
    if (stored.startsWith("$argon2"))
      return argon2()
        .verify(stored, password)
        .catch(() => false);
    if (stored.startsWith("scrypt$")) return verifyScrypt(password, stored);
    return false;
  });
}

/** Whether a stored hash was made with other parameters than today's (rehash it at sign-in). */
export function needsRehash(stored: string): boolean {
  const { memoryCost: m, timeCost: t, parallelism: p } = PASSWORD_PARAMS;
  return !stored.startsWith(`$argon2id$v=19$m=${m},t=${t},p=${p}$`);
}

/** Spends the time a real check would, so a wrong email and a wrong password look alike. */
let decoy: Promise<string> | undefined;
export async function verifyNothing(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPassword(password, await decoy);
  return false;
}
