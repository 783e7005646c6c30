import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type ColumnMetadata,
  type DatabaseMetadataOptions,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  SqliteQueryCompiler,
  type TableMetadata,
  sql,
} from "kysely";

// Structural subset of the D1 binding, so this file type-checks without the Workers global types.
interface D1ResultLike {
  results?: unknown[];
  meta: { changes?: number; last_row_id?: number };
}
interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  all(): Promise<D1ResultLike>;
}
export interface D1DatabaseLike {
  prepare(query: string): D1StatementLike;
  batch(statements: D1StatementLike[]): Promise<D1ResultLike[]>;
}

const prepare = (d1: D1DatabaseLike, q: CompiledQuery) => d1.prepare(q.sql).bind(...q.parameters);

// Same shape as Kysely's own SqliteDriver: writes report changes and the last rowid; reads don't
// (D1 reports a stale last_row_id on a SELECT).
function toResult<R>(q: CompiledQuery, r: D1ResultLike): QueryResult<R> {
  const rows = (r.results ?? []) as R[];
  if (SelectQueryNode.is(q.query)) return { rows };
  const id = r.meta.last_row_id;
  return { rows, numAffectedRows: BigInt(r.meta.changes ?? 0), ...(id == null ? {} : { insertId: BigInt(id) }) };
}

// No TypeScript parameter properties anywhere: the file stays valid under erasableSyntaxOnly.
class D1Connection implements DatabaseConnection {
  readonly d1: D1DatabaseLike;
  constructor(d1: D1DatabaseLike) {
    this.d1 = d1;
  }
  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return toResult<R>(q, await prepare(this.d1, q).all());
  }
  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(q); // D1 has no cursors: one chunk
  }
}

const NO_TX = "D1 does not support interactive transactions; use batch()";

class D1Driver implements Driver {
  readonly #connection: D1Connection;
  constructor(d1: D1DatabaseLike) {
    this.#connection = new D1Connection(d1);
  }
  async init() {}
  async acquireConnection() {
    return this.#connection;
  }
  async beginTransaction(): Promise<void> {
    throw new Error(NO_TX);
  }
  async commitTransaction(): Promise<void> {
    throw new Error(NO_TX);
  }
  async rollbackTransaction(): Promise<void> {
    throw new Error(NO_TX);
  }
  async releaseConnection() {}
  async destroy() {}
}

// Kysely's SqliteIntrospector joins pragma_table_info() over every table, and D1 answers
// SQLITE_AUTH for its internal _cf_* tables; this one skips them.
class D1Introspector implements DatabaseIntrospector {
  readonly db: Kysely<any>;
  constructor(db: Kysely<any>) {
    this.db = db;
  }
  async getSchemas() {
    return [];
  }
  async getMetadata(options?: DatabaseMetadataOptions) {
    return { tables: await this.getTables(options) };
  }
  async getTables(options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
    const hidden = ["sqlite_%", "\\_cf\\_%"];
    if (!options?.withInternalKyselyTables) hidden.push("kysely\\_migration", "kysely\\_migration\\_lock");
    const { rows } = await sql<{ t: string; view: number; name: string; type: string; notnull: number; dflt: unknown; pk: number }>`
      select m.name as t, m.type = 'view' as view, p.name, p.type, p."notnull", p.dflt_value as dflt, p.pk
      from sqlite_master m join pragma_table_info(m.name) p
      where m.type in ('table', 'view') and not (${sql.join(hidden.map((h) => sql`m.name like ${h} escape '\\'`), sql` or `)})
      order by m.name, p.cid`.execute(this.db);
    const tables = new Map<string, { name: string; isView: boolean; columns: ColumnMetadata[] }>();
    for (const r of rows) {
      const table = tables.get(r.t) ?? { name: r.t, isView: !!r.view, columns: [] };
      tables.set(r.t, table);
      // AUTOINCREMENT is only allowed on the rowid alias, which is exactly a sole INTEGER PRIMARY KEY.
      const solePk = r.pk === 1 && !rows.some((x) => x.t === r.t && x.pk > 1);
      table.columns.push({
        name: r.name,
        dataType: r.type,
        isNullable: !r.notnull,
        hasDefaultValue: r.dflt != null,
        isAutoIncrementing: solePk && r.type.toLowerCase() === "integer",
      });
    }
    return [...tables.values()];
  }
}

export class D1Dialect implements Dialect {
  readonly d1: D1DatabaseLike;
  constructor(d1: D1DatabaseLike) {
    this.d1 = d1;
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createDriver() {
    return new D1Driver(this.d1);
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new D1Introspector(db);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
}

/** Runs compiled Kysely queries atomically (one D1 batch = one implicit transaction). */
export async function d1Batch(
  d1: D1DatabaseLike,
  queries: readonly CompiledQuery[],
): Promise<QueryResult<unknown>[]> {
  if (queries.length === 0) return [];
  const results = await d1.batch(queries.map((q) => prepare(d1, q)));
  return results.map((r, i) => toResult(queries[i]!, r));
}
