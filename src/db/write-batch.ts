import type { CompiledQuery, Kysely, QueryResult } from "kysely";

/**
 * Runs compiled write queries in order as one atomic unit and returns
 * their results in the same order. Every statement runs whatever the
 * previous ones changed, so conditions belong in the SQL itself.
 */
export type WriteBatch = (queries: readonly CompiledQuery[]) => Promise<QueryResult<unknown>[]>;

/**
 * The batch for any Kysely driver with transactions: one transaction per
 * batch, so one commit instead of one per statement. It is `createApp`'s
 * default (the CLI uses it); the Node entry passes the group commit of
 * `src/node/group-commit.ts`, and D1, which has no interactive
 * transactions, passes `d1Batch`.
 *
 * @example
 * const batch = transactionBatch(db);
 * const [inserted, updated] = await batch([insertQuery, updateQuery]);
 */
export function transactionBatch<DB>(db: Kysely<DB>): WriteBatch {
  return async (queries) => {
    // One statement is atomic on its own: BEGIN and COMMIT would only add two round trips
    // (on PostgreSQL, to every per-IP rate-limit hit of every /auth request).
    if (queries.length === 1) return [await db.executeQuery(queries[0]!)];
    return db.transaction().execute(async (trx) => {
      const results: QueryResult<unknown>[] = [];
      for (const query of queries) results.push(await trx.executeQuery(query));
      return results;
    });
  };
}
