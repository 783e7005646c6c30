// RESULTS.md is written by two benches: `npm run bench` writes everything above this heading,
// `npm run bench:postgres` the section from it to the end; each keeps the other's part.
export const POSTGRES_SECTION = "## PostgreSQL (`npm run bench:postgres`)";
