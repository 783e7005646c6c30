// `npm run bench:duel -- <server A> <server B> [reused|fresh]`: a diagnostic, not a target.
// Compares two of bench/servers/*.mjs by loading both at the same time: both servers share CPU 0,
// each has its own autocannon process (10 connections) on CPU 1. Whatever the machine does
// then hits both at the same moment, so the ratio of their CPU time per request scatters by 1-4 %
// (standard deviation over rounds), where the back-to-back runs of `npm run bench` swing 10-20 %
// per round on this VM. That makes it the tool for finding what a few microseconds of a request
// cost; the targets stay with `npm run bench`, which measures each server with a core to itself.
//
//   npm run bench:duel -- servers/tessera-verify.mjs servers/hono-header-middleware.mjs
//
// BENCH_DUEL_ROUNDS (default 6) recorded rounds after one warm-up round, BENCH_HTTP_SECONDS
// (default 4) per round; BENCH_TOKEN_ALG=EdDSA sends EdDSA tokens (for the *-eddsa servers).
import { execSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runChild, startServer } from "./lib/child.mjs";
import { median } from "./lib/stats.mjs";

const [a, b, scenario = "reused"] = process.argv.slice(2);
if (!a || !b || !["reused", "fresh"].includes(scenario)) {
  console.error("usage: npm run bench:duel -- <server A> <server B> [reused|fresh]   (paths under bench/)");
  process.exit(2);
}
const ROUNDS = Number(process.env.BENCH_DUEL_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 4);
const ALG = process.env.BENCH_TOKEN_ALG ?? "HS256";

// The Tessera servers load the built package.
execSync("npm run build", { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: ["ignore", "ignore", "inherit"] });
const servers = [await startServer(a, { cpu: 0 }), await startServer(b, { cpu: 0 })];
const cpuRatios = [];
const rpsRatios = [];
try {
  for (let round = 0; round <= ROUNDS; round++) {
    const cpuBefore = await Promise.all(servers.map((s) => s.cpuMicros()));
    const loads = await Promise.all(
      servers.map((s) => runChild("load/autocannon-run.mjs", { cpu: 1, port: s.port, scenario, alg: ALG, duration: SECONDS, warmup: 1, tokenCount: 60_000 })),
    );
    const cpuAfter = await Promise.all(servers.map((s) => s.cpuMicros()));
    const perRequest = loads.map((l, i) => (cpuAfter[i] - cpuBefore[i]) / (l.requests + l.warmupRequests));
    const failed = loads.reduce((n, l) => n + l.non2xx + l.errors, 0);
    if (failed > 0) throw new Error(`round ${round}: ${failed} requests were not 2xx`);
    if (round === 0) continue; // warm-up: JIT, heap and token cache
    // Both as "A relative to B", above 1 when A is the cheaper: B's CPU per request over A's.
    cpuRatios.push(perRequest[1] / perRequest[0]);
    rpsRatios.push(loads[0].rps / loads[1].rps);
    console.log(
      `round ${round}: CPU µs/request ${perRequest[0].toFixed(1)} vs ${perRequest[1].toFixed(1)} (ratio ${cpuRatios.at(-1).toFixed(3)}), ` +
        `req/s ${Math.round(loads[0].rps)} vs ${Math.round(loads[1].rps)}`,
    );
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
const spread = (values) => `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)}`;
console.log(`${a} relative to ${b}, ${scenario} ${ALG} token, ${ROUNDS} rounds of ${SECONDS} s:`);
console.log(`  CPU per request: ${median(cpuRatios).toFixed(3)} (rounds ${spread(cpuRatios)})`);
console.log(`  req/s:           ${median(rpsRatios).toFixed(3)} (rounds ${spread(rpsRatios)}; the scheduler's share of the core moves this one more)`);
