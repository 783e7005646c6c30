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
 * transaction, so N batches pay for one commit instead of N. A commit is
 * the dearest part of a small write on SQLite (one WAL frame per dirtied
 * page), and the per-IP `/auth` counter alone is a write on every request.
 *
 * Batches run in the order they arrived, exactly as if committed one by
 * one, and none resolves before the commit that holds it has succeeded.
 * A batch stays atomic and isolated from its neighbours: when any statement
 * of a group fails, the whole group is rolled back and its batches are run
 * again one transaction each, so only the failing batch fails (statements
 * are plain SQL with bound values: running them again gives the same
 * result). Failures are rare (a unique email taken between check and
 * insert), so the common case does without savepoints and their per-page
 * copies (figures in bench/README.md).
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

  /** Runs `group` in one open transaction and commits; rolls back and throws if any statement or the commit fails. */
  function writeAndCommit(group: readonly PendingBatch[]): QueryResult<unknown>[][] {
    try {
      const results = group.map((pending) => pending.queries.map(run));
      commit();
      return results;
    } catch (error) {
      if (sqlite.inTransaction) rollback();
      throw error;
    }
  }

  function settle(group: readonly PendingBatch[]): void {
    try {
      begin();
    } catch (error) {
      // The database is locked or closed: no batch can be written, and retrying one by one would only wait again.
      for (const pending of group) pending.reject(error);
      return;
    }
    try {
      const results = writeAndCommit(group);
      group.forEach((pending, i) => pending.resolve(results[i]!));
    } catch (error) {
      if (group.length === 1) group[0]!.reject(error);
      else for (const pending of group) settle([pending]);
    }
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
    settle(group);
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
