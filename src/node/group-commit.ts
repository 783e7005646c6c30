import type SQLite from "better-sqlite3";
import type { CompiledQuery, QueryResult } from "kysely";
import type { WriteBatch } from "../db/write-batch.js";

interface PendingBatch {
  queries: readonly CompiledQuery[];
  resolve(results: QueryResult<unknown>[]): void;
  reject(error: unknown): void;
}

/**
 * The Node `WriteBatch`: group commit. Every batch handed over while the
 * event loop works through one round of I/O is written in a single SQLite
 * transaction, each batch inside its own savepoint, so a batch stays
 * atomic and isolated from its neighbours (one that fails is rolled back
 * alone) while N batches pay for one commit instead of N. A commit is the
 * dearest part of a small write on SQLite (one WAL frame per dirtied page),
 * and the per-IP `/auth` counter alone is a write on every request.
 *
 * Batches run in the order they arrived, exactly as if committed one by one;
 * none resolves before the commit that holds it has succeeded.
 *
 * @example
 * const writeBatch = groupCommitBatch(sqlite, (sql) => sqlite.prepare(sql));
 * const [inserted, updated] = await writeBatch([insertQuery, updateQuery]);
 */
export function groupCommitBatch(sqlite: SQLite.Database, prepare: (sql: string) => SQLite.Statement): WriteBatch {
  const control = (sql: string) => {
    const statement = sqlite.prepare(sql);
    return () => statement.run();
  };
  // IMMEDIATE takes the write lock up front (waiting out busy_timeout for
  // another process) instead of failing half-way through the group.
  const begin = control("BEGIN IMMEDIATE");
  const commit = control("COMMIT");
  const rollback = control("ROLLBACK");
  const savepoint = control("SAVEPOINT batch");
  const release = control("RELEASE batch");
  const rollbackTo = control("ROLLBACK TO batch");

  let queue: PendingBatch[] = [];
  let scheduled = false;

  function run(query: CompiledQuery): QueryResult<unknown> {
    // The same result shape as Kysely's SQLite driver gives.
    const statement = prepare(query.sql);
    const parameters = query.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  function flush(): void {
    scheduled = false;
    if (sqlite.inTransaction) {
      // A Kysely transaction holds the connection across an await: wait for it.
      schedule();
      return;
    }
    const group = queue;
    queue = [];
    try {
      begin();
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    const written: Array<[PendingBatch, QueryResult<unknown>[]]> = [];
    for (const pending of group) {
      savepoint();
      try {
        written.push([pending, pending.queries.map(run)]);
        release();
      } catch (error) {
        rollbackTo();
        release();
        pending.reject(error);
      }
    }
    try {
      commit();
    } catch (error) {
      if (sqlite.inTransaction) rollback();
      for (const [pending] of written) pending.reject(error);
      return;
    }
    for (const [pending, results] of written) pending.resolve(results);
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // After the poll phase: every request read in this loop turn has queued its batch by then.
    setImmediate(flush);
  }

  return (queries) =>
    new Promise((resolve, reject) => {
      queue.push({ queries, resolve, reject });
      schedule();
    });
}
