// The Node write batch (src/node/group-commit.ts) on a real SQLite file in WAL mode, checked
// from a second connection the way another process would see it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { sql, type CompiledQuery } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { transactionBatch } from "../src/db/write-batch.js";
import { migrateToLatest, openNodeDatabase, type NodeDatabase } from "../src/node/database.js";

let dir: string;
let path: string;
let database: NodeDatabase;
let observer: SQLite.Database;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tessera-group-commit-"));
  path = join(dir, "t.sqlite");
  database = openNodeDatabase(path);
  await migrateToLatest(database.db);
  observer = new SQLite(path, { readonly: true });
});

afterEach(async () => {
  observer.close();
  await database.db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const hit = (key: string) =>
  database.db
    .insertInto("rate_limits")
    .values({ key, window_start: 0, count: 1, expires_at: 1 })
    .onConflict((oc) => oc.column("key").doUpdateSet({ count: sql<number>`rate_limits.count + 1` }))
    .returning(["count"])
    .compile();
const insertUser = (id: string, email = `${id}@example.com`) =>
  database.db.insertInto("users").values({ id, email, role: "user", created_at: 0, updated_at: 0 }).compile();
const countOf = (key: string) =>
  (observer.prepare("SELECT count FROM rate_limits WHERE key = ?").get(key) as { count: number } | undefined)?.count;
const userIds = () => (observer.prepare("SELECT id FROM users ORDER BY id").all() as { id: string }[]).map((r) => r.id);

/** Frames appended to the WAL by `write` (one frame per page each commit wrote). */
async function walFramesWrittenBy(write: () => Promise<unknown>): Promise<number> {
  await database.writeBatch([hit("warm-up")]);
  const writer = new SQLite(path);
  try {
    writer.pragma("wal_checkpoint(TRUNCATE)");
    await write();
    const [{ log }] = writer.pragma("wal_checkpoint(PASSIVE)") as [{ log: number }];
    return log;
  } finally {
    writer.close();
  }
}

describe("group commit", () => {
  it("commits the batches handed over in one turn of the event loop together", async () => {
    const together = await walFramesWrittenBy(() => Promise.all(Array.from({ length: 20 }, () => database.writeBatch([hit("ip:a")]))));
    const oneByOne = await walFramesWrittenBy(async () => {
      for (let i = 0; i < 20; i++) await database.writeBatch([hit("ip:b")]);
    });
    // 20 commits write the counter's pages 20 times; one commit writes them once.
    expect(oneByOne).toBeGreaterThanOrEqual(20);
    expect(together).toBeLessThan(oneByOne / 5);
    expect([countOf("ip:a"), countOf("ip:b")]).toEqual([20, 20]);
  });

  it("runs batches in the order they arrived, each one seeing the ones before it", async () => {
    const results = await Promise.all([1, 2, 3].map(() => database.writeBatch([hit("ordered"), hit("ordered")])));
    expect(results.map((r) => r.map((q) => q.rows))).toEqual([
      [[{ count: 1 }], [{ count: 2 }]],
      [[{ count: 3 }], [{ count: 4 }]],
      [[{ count: 5 }], [{ count: 6 }]],
    ]);
  });

  it("gives the results Kysely's own driver gives for the same queries", async () => {
    const queries = (n: number): CompiledQuery[] => [
      insertUser(`u${n}`),
      hit(`same-${n}`),
      database.db.updateTable("users").set({ name: "x" }).where("id", "=", `u${n}`).compile(),
      database.db.deleteFrom("users").where("id", "=", "nobody").compile(),
    ];
    const grouped = await database.writeBatch(queries(1));
    const plain = await transactionBatch(database.db)(queries(2));
    expect(grouped.map(({ insertId: _, ...r }) => r)).toEqual(plain.map(({ insertId: _, ...r }) => r));
    expect(grouped.map((r) => typeof r.insertId)).toEqual(plain.map((r) => typeof r.insertId));
  });

  it("rolls back a failing batch alone: nothing of it is kept, its neighbours commit", async () => {
    const [before, failing, after] = await Promise.allSettled([
      database.writeBatch([insertUser("a")]),
      // The second insert breaks the unique email: the first must not survive it.
      database.writeBatch([insertUser("b", "shared@example.com"), insertUser("c", "shared@example.com")]),
      database.writeBatch([insertUser("d")]),
    ]);
    expect(before.status).toBe("fulfilled");
    expect(after.status).toBe("fulfilled");
    expect(failing.status).toBe("rejected");
    expect(String((failing as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed: users\.email/);
    expect(userIds()).toEqual(["a", "d"]);
  });

  it("resolves no batch whose commit failed, keeps none of its rows, and commits its neighbours", async () => {
    // A deferred foreign-key violation passes every statement and fails only at COMMIT.
    const [innocent, deferred, next] = await Promise.allSettled([
      database.writeBatch([insertUser("e")]),
      database.writeBatch([
        sql`PRAGMA defer_foreign_keys = ON`.compile(database.db),
        insertUser("orphan-owner"),
        database.db
          .insertInto("sessions")
          .values({ id: "s", user_id: "no-such-user", client_id: "c", scope: "", created_at: 0, last_used_at: 0, expires_at: 1 })
          .compile(),
      ]),
      database.writeBatch([insertUser("g")]),
    ]);
    expect([innocent.status, deferred.status, next.status]).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((deferred as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY constraint failed/);
    expect(userIds()).toEqual(["e", "g"]);
    expect(observer.prepare("SELECT count(*) AS n FROM sessions").get()).toEqual({ n: 0 });
  });

  it("rejects every batch at once when the database cannot be written", async () => {
    // Another process holds the write lock for longer than our busy timeout.
    await sql`PRAGMA busy_timeout = 300`.execute(database.db);
    const blocker = new SQLite(path);
    blocker.exec("BEGIN IMMEDIATE");
    try {
      const started = Date.now();
      const results = await Promise.allSettled([1, 2, 3].map((n) => database.writeBatch([insertUser(`locked-${n}`)])));
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
      expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/database is locked/);
      // One wait for the group, not one per batch.
      expect(Date.now() - started).toBeLessThan(2 * 300);
    } finally {
      blocker.exec("ROLLBACK");
      blocker.close();
    }
  });

  it("waits for a Kysely transaction that holds the connection across an await", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = database.db.transaction().execute(async (trx) => {
      await trx.executeQuery(insertUser("first"));
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 5)); // the transaction is open now
    const batch = database.writeBatch([insertUser("second")]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(userIds()).toEqual([]);
    release();
    await Promise.all([transaction, batch]);
    expect(userIds()).toEqual(["first", "second"]);
  });
});
