// Sums vitest JSON reports (one per suite) into the plain line CI reads:
// "N passed, M failed". Exits non-zero when no test ran at all.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? "test-results";
let passed = 0;
let failed = 0;
let skipped = 0;
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
for (const file of files) {
  const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
  passed += report.numPassedTests ?? 0;
  // A suite that fails to load has no failed tests of its own; count it so it cannot hide.
  failed += Math.max(report.numFailedTests ?? 0, report.numFailedTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`${file}: ${report.numPassedTests ?? 0} passed, ${report.numFailedTests ?? 0} failed`);
  if (file === "postgres.json" && (report.numTotalTests ?? 0) === 0) {
    console.log("postgres.json: the PostgreSQL tests were skipped (no TESSERA_TEST_POSTGRES_URL); run `scripts/with-postgres.sh npm test`");
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(passed === 0 || failed > 0 ? 1 : 0);
