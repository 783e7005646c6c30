import type { Compilable, CompiledQuery, Kysely } from "kysely";

const SENTINEL = "\u0000tessera-param:";

/** Fills a query's named parameters and hands back the compiled query to execute. */
export type PreparedQuery<P extends string, R> = (values: Record<P, unknown>) => CompiledQuery<R>;

/**
 * Builds and compiles a Kysely query once per database and reuses the SQL
 * on every call: on the hot paths (refresh, rate limits) building and
 * compiling the query tree cost more than SQLite running it. `build` gets a
 * placeholder for each name; parameters are matched by value, so their
 * order in the SQL does not matter.
 *
 * @example
 * const byId = prepareQuery(["id"], (db, p) => db.selectFrom("users").selectAll().where("id", "=", p.id));
 * const { rows } = await db.executeQuery(byId(db)({ id }));
 */
export function prepareQuery<DB, P extends string, R>(
  names: readonly P[],
  build: (db: Kysely<DB>, p: Record<P, string>) => Compilable<R>,
): (db: Kysely<DB>) => PreparedQuery<P, R> {
  const perDb = new WeakMap<Kysely<DB>, PreparedQuery<P, R>>();
  return (db) => {
    let prepared = perDb.get(db);
    if (prepared) return prepared;
    const placeholders = Object.fromEntries(names.map((n) => [n, SENTINEL + n])) as Record<P, string>;
    const template = build(db, placeholders).compile();
    const slots = template.parameters.map((v) =>
      typeof v === "string" && v.startsWith(SENTINEL) ? (v.slice(SENTINEL.length) as P) : undefined,
    );
    for (const n of names) {
      if (!slots.includes(n)) throw new TypeError(`prepared query does not use the parameter ${n}`);
    }
    prepared = (values) => ({
      ...template,
      parameters: slots.map((name, i) => (name === undefined ? template.parameters[i] : values[name])),
    });
    perDb.set(db, prepared);
    return prepared;
  };
}
