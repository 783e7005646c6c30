// One schema, two dialects: the PostgreSQL variants must define what the SQLite files define.
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrateToLatest, openDatabase, readMigrationFiles, readPostgresMigrationFiles } from "../../src/node/database.js";
import { createPostgresTestDatabase } from "../support/postgres.js";

const BOOKKEEPING = /^kysely_/;

describe("migrations on PostgreSQL", () => {
  it("are the same numbered sequence as SQLite's, with a variant of every file whose SQL differs", () => {
    expect(readPostgresMigrationFiles().map((f) => f.name)).toEqual(readMigrationFiles().map((f) => f.name));
    // INTEGER is 32-bit on PostgreSQL: epoch milliseconds need BIGINT there.
    for (const file of readPostgresMigrationFiles()) expect(file.sql).not.toMatch(/\bINTEGER\b.*_at\b|_at\s+INTEGER/);
  });

  it("define the same tables and columns, with the same nullability, as the SQLite files", async () => {
    const sqlite = openDatabase(":memory:");
    await migrateToLatest(sqlite);
    const sqliteTables = (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`.execute(sqlite)).rows
      .map((r) => r.name)
      .filter((n) => !BOOKKEEPING.test(n));
    const fromSqlite: string[] = [];
    for (const table of sqliteTables) {
      const { rows } = await sql<{ name: string; notnull: number; pk: number }>`SELECT name, "notnull", pk FROM pragma_table_info(${table})`.execute(sqlite);
      for (const c of rows) fromSqlite.push(`${table}.${c.name} ${c.notnull || c.pk ? "NOT NULL" : "NULL"}`);
    }
    await sqlite.destroy();

    const { db, schema } = await createPostgresTestDatabase();
    const { rows } = await sql<{ table_name: string; column_name: string; is_nullable: string }>`
      SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = ${schema}`.execute(db);
    const fromPostgres = rows
      .filter((c) => !BOOKKEEPING.test(c.table_name))
      .map((c) => `${c.table_name}.${c.column_name} ${c.is_nullable === "YES" ? "NULL" : "NOT NULL"}`);

    expect(fromSqlite.length).toBeGreaterThan(40);
    expect(fromPostgres.sort()).toEqual(fromSqlite.sort());
  });

  it("store timestamps as BIGINT and read them back as numbers, as SQLite does", async () => {
    const { db, schema } = await createPostgresTestDatabase();
    const { rows } = await sql<{ data_type: string }>`
      SELECT DISTINCT data_type FROM information_schema.columns WHERE table_schema = ${schema} AND column_name LIKE '%\\_at' ESCAPE '\\'`.execute(db);
    expect(rows.map((r) => r.data_type)).toEqual(["bigint"]);
    const far = Date.UTC(2200, 0, 1); // past 2^32 seconds and 2^31 ms many times over
    await db.insertInto("rate_limits").values({ key: "k", window_start: far, count: 1, expires_at: far }).execute();
    const row = await db.selectFrom("rate_limits").selectAll().executeTakeFirstOrThrow();
    expect(row).toEqual({ key: "k", window_start: far, count: 1, expires_at: far });
    const counted = await db.selectFrom("rate_limits").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
    expect(counted.n).toBe(1);
  });
});
