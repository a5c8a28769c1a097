import { serviceUrls } from "@stream-platform/shared";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "./names.ts";

describe("PostgreSQL", () => {
  const schema = uniqueName("t_pg");
  const client = new pg.Client({ connectionString: serviceUrls().databaseUrl });

  beforeAll(async () => {
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.query(`create table ${schema}.items (id serial primary key, name text not null)`);
  });

  afterAll(async () => {
    await client.query(`drop schema ${schema} cascade`);
    await client.end();
  });

  it("answers as PostgreSQL 15", async () => {
    const { rows } = await client.query("select current_setting('server_version_num')::int as v");
    expect(rows[0].v).toBeGreaterThanOrEqual(150000);
  });

  it("rolls back a transaction, keeping what was committed", async () => {
    await client.query(`insert into ${schema}.items (name) values ('kept')`);
    await client.query("begin");
    await client.query(`insert into ${schema}.items (name) values ('discarded')`);
    const inside = await client.query(`select count(*)::int as n from ${schema}.items`);
    expect(inside.rows[0].n).toBe(2);
    await client.query("rollback");
    const after = await client.query(`select name from ${schema}.items order by id`);
    expect(after.rows.map((r) => r.name)).toEqual(["kept"]);
  });
});
