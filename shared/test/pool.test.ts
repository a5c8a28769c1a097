// A pool's checked-out connection cut under it (PostgreSQL killed or restarted) against the real
// PostgreSQL: node-postgres emits the loss as an 'error' event on the client, which the pool
// listens to only while the client is idle; unheard, it would end the whole function process.
import { afterAll, describe, expect, it } from "vitest";
import { storeUnavailable } from "../src/http/unavailable.ts";
import { createPool, inTransaction } from "../src/postgres/index.ts";

const pool = createPool(undefined, 2);
const admin = createPool(undefined, 1);

afterAll(async () => {
  await Promise.all([pool.end(), admin.end()]);
});

describe("a connection lost while checked out", () => {
  it("fails the transaction as 'store unavailable' and leaves the process running", async () => {
    const uncaught: unknown[] = [];
    let heard = () => {};
    const hear = (error: unknown) => {
      uncaught.push(error);
      heard();
    };
    process.prependListener("uncaughtException", hear);
    try {
      const failed = await inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
        // Its end, or the process's uncaught error (which stops the client before its end).
        const ended = new Promise<void>((resolve) => {
          client.once("end", resolve);
          heard = resolve;
        });
        // Cut while no query of this client runs, as between a transaction's statements.
        await admin.query("select pg_terminate_backend($1)", [rows[0]?.pid]);
        await ended;
        return client.query("select 1");
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed, "the transaction fails").toBeInstanceOf(Error);
      expect(storeUnavailable(failed), String(failed)).toBe(true);
      expect(uncaught).toEqual([]);
      // The lost connection left the pool: the next query gets a new one.
      const { rows } = await pool.query<{ one: number }>("select 1 as one");
      expect(rows[0]?.one).toBe(1);
    } finally {
      process.removeListener("uncaughtException", hear);
    }
  });
});
