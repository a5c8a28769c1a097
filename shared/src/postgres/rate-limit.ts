// Rate limits every instance sees: token buckets in PostgreSQL, one row per key, taken by one
// atomic upsert. Limits kept in each process multiply with replicas and reset whenever a
// function scales to zero; these do neither. Each instance also keeps a bucket of its own at the
// same rate (shared/src/http/rate-limit.ts), checked first: a burst is refused at once, and when
// PostgreSQL does not answer the instance still limits, neither refusing nor letting in everyone.
import type { IncomingMessage } from "node:http";
import type pg from "pg";
import { HttpProblem, tooManyRequests } from "../http/problem.ts";
import { clientKey, RateLimiter } from "../http/rate-limit.ts";
import { log } from "../log.ts";
import { within } from "../util/within.ts";
import { createPool } from "./pool.ts";

const TABLE = "rate_limits";
/** A bucket untouched this long is full again whatever its rate: its row can go. */
const FORGET_AFTER_SECONDS = 3600;
/**
 * How long a take waits for PostgreSQL before this instance's bucket decides alone: a store that
 * hangs (not only one that refuses connections) must not hold up the requests it limits for
 * long. As long as a new connection may take (createPool): a busy store or a flood queued in
 * the pool is slow, not away, and the shared budget should still decide.
 */
const ANSWER_WITHIN_MS = 5000;
/** One warning per limit this often while PostgreSQL is away, not one per request. */
const WARN_EVERY_MS = 10_000;

let sharedPool: pg.Pool | undefined;
const poolOfProcess = () => {
  // Its connections stay open: a take after a quiet spell must not wait for a new connection
  // (and its authentication) on a busy instance, past the deadline below.
  sharedPool ??= createPool(undefined, 4, { idleTimeoutMillis: 0 });
  return sharedPool;
};

const ready = new WeakMap<pg.Pool, Promise<void>>();
function ensureTable(pool: pg.Pool): Promise<void> {
  let done = ready.get(pool);
  if (!done) {
    done = (async () => {
      const client = await pool.connect();
      try {
        // Instances of several functions start at once: one creates the table.
        await client.query("select pg_advisory_lock(hashtext('rate_limits'))");
        await client.query(
          `create table if not exists ${TABLE} (key text primary key, tokens double precision not null, allowed boolean not null, at timestamptz not null)`,
        );
      } finally {
        await client.query("select pg_advisory_unlock(hashtext('rate_limits'))").catch(() => {});
        client.release();
      }
    })();
    done.catch(() => ready.delete(pool));
    ready.set(pool, done);
  }
  return done;
}

// The bucket refilled since it was last touched, capped at the burst; `count` tokens taken only
// if that many are there. `allowed` says which happened.
const TAKE = `
insert into ${TABLE} as b (key, tokens, allowed, at)
values ($1, $3::float8 - $4::float8, $3::float8 >= $4::float8, now())
on conflict (key) do update set
  allowed = least($3, b.tokens + extract(epoch from now() - b.at) * $2) >= $4,
  tokens = least($3, b.tokens + extract(epoch from now() - b.at) * $2)
    - case when least($3, b.tokens + extract(epoch from now() - b.at) * $2) >= $4 then $4 else 0 end,
  at = now()
returning tokens, allowed`;

export class SharedRateLimiter {
  private readonly fallback: RateLimiter;
  private takes = 0;
  private warnedAt = 0;

  /**
   * `name` keeps this limit's keys apart from other limits' in the one table; `pool` defaults
   * to a small pool of the process on DATABASE_URL (made on first use).
   */
  constructor(
    private readonly name: string,
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly pool: () => pg.Pool = poolOfProcess,
  ) {
    this.fallback = new RateLimiter(perSecond, burst);
    // Connect and make the table now: a new instance's first requests (a burst, after a scale
    // from zero) must not all wait on that, past the deadline below.
    try {
      void ensureTable(pool()).catch(() => undefined);
    } catch {
      // No pool (no DATABASE_URL): each take says so, and this instance limits alone.
    }
  }

  /** Takes `count` tokens for `key`: 0 when allowed, else the seconds until they are there. */
  async take(key: string, count = 1): Promise<number> {
    if (count > this.burst) return Math.ceil(count / this.perSecond);
    // This instance's own bucket first: it can only refuse what the shared one would, and it
    // answers a burst at once, before the burst queues for the shared row.
    const local = this.fallback.takeSome(key, count);
    if (local > 0) return local;
    try {
      const row = await within(ANSWER_WITHIN_MS, this.takeShared(key, count));
      if (!row || row.allowed) return 0;
      return Math.max(1, Math.ceil((count - row.tokens) / this.perSecond));
    } catch (error) {
      if (Date.now() - this.warnedAt >= WARN_EVERY_MS) {
        this.warnedAt = Date.now();
        log({
          level: "warn",
          msg: "shared rate limit unavailable: limiting in this instance",
          limit: this.name,
          error: String(error),
        });
      }
      return 0;
    }
  }

  private async takeShared(key: string, count: number) {
    const pool = this.pool();
    await ensureTable(pool);
    const { rows } = await pool.query<{ tokens: number; allowed: boolean }>(TAKE, [
      `${this.name}:${key}`,
      this.perSecond,
      this.burst,
      count,
    ]);
    this.takes += 1;
    if (this.takes % 1000 === 0) void this.forgetIdle(pool);
    return rows[0];
  }

  /**
   * The seconds until `key` has a token, taking none: for limits that count only some outcomes
   * (failed sign-ins), checked before and taken after.
   */
  async peek(key: string): Promise<number> {
    try {
      const pool = this.pool();
      const { rows } = await within(
        ANSWER_WITHIN_MS,
        ensureTable(pool).then(() =>
          pool.query<{ tokens: number }>(
            `select least($2, tokens + extract(epoch from now() - at) * $3) as tokens from ${TABLE} where key = $1`,
            [`${this.name}:${key}`, this.burst, this.perSecond],
          ),
        ),
      );
      const tokens = rows[0]?.tokens ?? this.burst;
      return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.perSecond));
    } catch {
      return this.fallback.peek(key);
    }
  }

  /** Throws 429 with Retry-After when `key` is over its rate. */
  async check(key: string, what: string, count = 1): Promise<void> {
    const wait = await this.take(key, count);
    if (wait > 0)
      throw new HttpProblem(tooManyRequests(`too many ${what}: try again in ${wait} s`, wait));
  }

  /** The same, keyed by the client's address (an IPv6 client by its /64). */
  checkAddress(req: IncomingMessage, what: string, count = 1): Promise<void> {
    return this.check(clientKey(req), what, count);
  }

  private async forgetIdle(pool: pg.Pool): Promise<void> {
    await pool
      .query(`delete from ${TABLE} where at < now() - make_interval(secs => $1)`, [
        FORGET_AFTER_SECONDS,
      ])
      .catch(() => undefined);
  }
}
