// `npm run bench`: builds the package, runs every measurement of issue 7 in separate
// processes (servers, load generators, micro benchmarks), prints one table of ratios
// from this run and writes bench/results.json and bench/RESULTS.md.
import { execFileSync, execSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { runChild, startServer } from "./lib/child.mjs";
import { CONNECTIONS, HOST, PROTECTED_PATH } from "./lib/config.mjs";
import { median } from "./lib/stats.mjs";
import { POSTGRES_SECTION } from "./lib/results-sections.mjs";
import { mintTokens } from "./lib/tokens.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = (name) => fileURLToPath(new URL(name, import.meta.url));
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 3);
const WARMUP_SECONDS = 1;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const OPEN_LOOP_RATE = 200;
// Sessions whose refresh chains one refresh round rotates (each connection takes the next free one).
const REFRESH_CHAINS = 64;
const OPEN_LOOP_SECONDS = 5;
// Items 2 and 3: the server (or the raw floor) alone on one core, its load generator on the other.
// Item 4 stays unpinned: the service hashes on every core there, as the raw argon2id rate does.
const SERVER_CPU = 0;
const LOAD_CPU = 1;
const started = Date.now();
const log = (m) => console.error(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${m}`);

log("npm run build");
execSync("npm run build", { cwd: root, stdio: ["ignore", "ignore", "inherit"] });

const machine = {
  nproc: Number(execFileSync("nproc").toString().trim()),
  cpu: cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  date: new Date().toISOString(),
  loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
};

// 1. verifyAccessToken µs/op
log("1. micro: verifyAccessToken vs HMAC floor, jose, fast-jwt");
const micro = await runChild("micro-verify.mjs", { tokenCount: 50_000, minCpuMs: 1500, rounds: 3 });

// 2. protected GET req/s. The servers stay up side by side (idle unless loaded) and
// the runs are interleaved round by round: other work on a shared machine then hits
// every server alike, and the median of the rounds is reported.
const servers = {
  tesseraRequireAuth: "servers/tessera-verify.mjs",
  tesseraProtect: "servers/tessera-protect.mjs",
  honoHelloNoAuth: "servers/hono-hello.mjs",
  honoNoopMiddleware: "servers/hono-noop-middleware.mjs",
  honoHeaderMiddleware: "servers/hono-header-middleware.mjs",
  honoHeaderHandler: "servers/hono-header-handler.mjs",
  fastifyJwt: "servers/fastify-jwt.mjs",
  honoJose: "servers/hono-jose.mjs",
  tesseraProtectEdDSA: "servers/tessera-protect-eddsa.mjs",
  honoJoseEdDSA: "servers/hono-jose-eddsa.mjs",
};
// The servers that verify EdDSA tokens (a key set, or the public key); the others verify HS256.
const tokenAlg = (name) => (name.endsWith("EdDSA") ? "EdDSA" : "HS256");
// Each scenario's servers run back to back, and every target's pair side by side; the order
// flips every round, so drift in the machine's speed falls on both sides of a pair alike.
const scenarioOrder = {
  reused: ["honoHeaderMiddleware", "tesseraRequireAuth", "honoHelloNoAuth", "tesseraProtect", "fastifyJwt", "honoHeaderHandler", "honoNoopMiddleware", "honoJose", "tesseraProtectEdDSA"],
  fresh: ["tesseraRequireAuth", "honoJose", "tesseraProtect", "fastifyJwt", "tesseraProtectEdDSA", "honoJoseEdDSA"],
};
const inRoundOrder = (list, round) => (round % 2 === 1 ? list : [...list].reverse());
const running = Object.fromEntries(
  await Promise.all(Object.entries(servers).map(async ([name, script]) => [name, await startServer(script, { cpu: SERVER_CPU })])),
);
// Every peer must really verify: a valid token passes, a tampered one is refused.
// The signature's first character changes (its last one holds padding bits that may not count).
const tamper = (token) => {
  const at = token.lastIndexOf(".") + 1;
  return `${token.slice(0, at)}${token[at] === "A" ? "B" : "A"}${token.slice(at + 1)}`;
};
const verifiesTokens = {};
for (const [name, srv] of Object.entries(running)) {
  const [probeToken] = mintTokens(1, { alg: tokenAlg(name) });
  const status = async (token) =>
    (await fetch(`http://${HOST}:${srv.port}${PROTECTED_PATH}`, { headers: { authorization: `Bearer ${token}` } })).status;
  verifiesTokens[name] = { valid: await status(probeToken), tampered: await status(tamper(probeToken)) };
}
const rounds = {};
try {
  // Round 0 is a warm-up and is not recorded: a server's first fresh-token run also grows its
  // heap and (Tessera's) token cache from empty, and was the slowest of every series here.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [scenario, names] of Object.entries(scenarioOrder)) {
      for (const name of inRoundOrder(names, round)) {
        log(`2. ${round === 0 ? "warm-up round" : `round ${round}/${ROUNDS}`}: ${name} ${scenario}`);
        const cpuBefore = await running[name].cpuMicros();
        const result = await runChild("load/autocannon-run.mjs", {
          cpu: LOAD_CPU,
          port: running[name].port,
          scenario,
          alg: tokenAlg(name),
          duration: HTTP_SECONDS,
          warmup: WARMUP_SECONDS,
          tokenCount: 60_000,
        });
        // Server CPU per request: what the server would reach on a core of its own.
        result.cpuMicrosPerRequest = ((await running[name].cpuMicros()) - cpuBefore) / (result.requests + result.warmupRequests);
        if (round > 0) ((rounds[name] ??= {})[scenario] ??= []).push(result);
      }
    }
  }
} finally {
  await Promise.all(Object.values(running).map((srv) => srv.stop()));
}
const http = Object.fromEntries(
  Object.entries(rounds).map(([name, byScenario]) => [
    name,
    Object.fromEntries(
      Object.entries(byScenario).map(([scenario, runs]) => [
        scenario,
        {
          rps: median(runs.map((r) => r.rps)),
          rounds: runs.map((r) => Math.round(r.rps)),
          cpuMicrosPerRequest: median(runs.map((r) => r.cpuMicrosPerRequest)),
          cpuRounds: runs.map((r) => Math.round(r.cpuMicrosPerRequest)),
          non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
          errors: runs.reduce((a, r) => a + r.errors, 0),
          wrapped: runs.some((r) => r.wrapped === true),
        },
      ]),
    ),
  ]),
);

/**
 * A ratio of two figures measured side by side in every round: the median of the per-round
 * ratios, with their spread. Pairing cancels what the machine did in between (other work on
 * shared cores moved a server's CPU per request by up to 2x within a minute here), which a
 * ratio of two medians taken from different moments does not.
 */
function pairedRatio(numerator, denominator) {
  const perRound = numerator.map((n, i) => n / denominator[i]);
  return { ratio: median(perRound), low: Math.min(...perRound), high: Math.max(...perRound), perRound };
}
const httpRatio = (name, scenario, peer) => {
  const a = rounds[name][scenario];
  const b = rounds[peer][scenario];
  return {
    ...pairedRatio(a.map((r) => r.rps), b.map((r) => r.rps)),
    cpuRatio: pairedRatio(b.map((r) => r.cpuMicrosPerRequest), a.map((r) => r.cpuMicrosPerRequest)).ratio,
  };
};

// 3. refresh grant over HTTP vs the raw transaction, alternating
let refresh;
let refreshControl;
let rawRotation;
let rawRotationOneChain;
let refreshRatio;
let refreshOneChainRatio;
let controlRatio;
let clientGrant;
let introspection;
{
  // One set of chains per round, plus one for a warm-up run (JIT, statement cache, page cache).
  const srv = await startServer("servers/tessera-app.mjs", { env: { BENCH_REFRESH_CHAINS: String(REFRESH_CHAINS * (ROUNDS + 1)) }, cpu: SERVER_CPU });
  const chainsOf = (set) => srv.refreshTokens.slice(set * REFRESH_CHAINS, (set + 1) * REFRESH_CHAINS);
  const refreshRuns = [];
  const controlRuns = [];
  const rawRuns = [];
  const rawOneChainRuns = [];
  const clientGrantRuns = [];
  const introspectRuns = [];
  // Machine clients: the same process and rounds as the refresh grant they are compared with.
  const asClient = { clientId: srv.clientId, clientSecret: srv.clientSecret };
  try {
    log("3. warm-up: POST /auth/token refresh grant");
    await runChild("load/autocannon-run.mjs", { cpu: LOAD_CPU, port: srv.port, scenario: "refresh", refreshTokens: chainsOf(ROUNDS), duration: WARMUP_SECONDS, warmup: 0 });
    for (let round = 1; round <= ROUNDS; round++) {
      const chains = chainsOf(round - 1);
      // Refresh runs next to its floor, and the control next to refresh, whichever way the round goes.
      const steps = {
        raw: async () => {
          log(`3. round ${round}/${ROUNDS}: raw better-sqlite3 rotation`);
          // The floor rotates as many chains as the HTTP run does; one chain alone is kept for reference.
          rawRuns.push(await runChild("raw-rotation.mjs", { cpu: SERVER_CPU, seconds: HTTP_SECONDS, chains: chains.length }));
        },
        refresh: async () => {
          log(`3. round ${round}/${ROUNDS}: POST /auth/token refresh grant`);
          refreshRuns.push(await runChild("load/autocannon-run.mjs", { cpu: LOAD_CPU, port: srv.port, scenario: "refresh", refreshTokens: chains, duration: HTTP_SECONDS, warmup: 0 }));
        },
        clientCredentials: async () => {
          log(`3. round ${round}/${ROUNDS}: POST /auth/token client_credentials grant`);
          clientGrantRuns.push(await runChild("load/autocannon-run.mjs", { cpu: LOAD_CPU, port: srv.port, scenario: "client-credentials", ...asClient, duration: HTTP_SECONDS, warmup: 0 }));
        },
        introspect: async () => {
          log(`3. round ${round}/${ROUNDS}: POST /auth/introspect, a user's access token`);
          introspectRuns.push(await runChild("load/autocannon-run.mjs", { cpu: LOAD_CPU, port: srv.port, scenario: "introspect", ...asClient, token: srv.accessToken, duration: HTTP_SECONDS, warmup: 0 }));
        },
        control: async () => {
          log(`3. round ${round}/${ROUNDS}: POST /auth/token, unsupported grant (control)`);
          controlRuns.push(await runChild("load/autocannon-run.mjs", { cpu: LOAD_CPU, port: srv.port, scenario: "unsupported-grant", duration: HTTP_SECONDS, warmup: 0 }));
        },
        rawOneChain: async () => {
          log(`3. round ${round}/${ROUNDS}: raw better-sqlite3 rotation, one chain (reference)`);
          rawOneChainRuns.push(await runChild("raw-rotation.mjs", { cpu: SERVER_CPU, seconds: HTTP_SECONDS, chains: 1 }));
        },
      };
      for (const step of inRoundOrder(["clientCredentials", "raw", "refresh", "introspect", "control", "rawOneChain"], round)) await steps[step]();
    }
  } finally {
    await srv.stop();
  }
  refreshRatio = pairedRatio(refreshRuns.map((r) => r.rps), rawRuns.map((r) => r.rps));
  refreshOneChainRatio = pairedRatio(refreshRuns.map((r) => r.rps), rawOneChainRuns.map((r) => r.rps));
  controlRatio = pairedRatio(controlRuns.map((r) => r.rps), rawRuns.map((r) => r.rps));
  // Both must answer 200 every time (the introspected token stays active: its session is never revoked).
  const machineRow = (runs) => ({ rps: median(runs.map((r) => r.rps)), rounds: runs.map((r) => Math.round(r.rps)), unexpected: runs.reduce((a, r) => a + r.errors + r.non2xx, 0), ...pairedRatio(runs.map((r) => r.rps), refreshRuns.map((r) => r.rps)) });
  clientGrant = machineRow(clientGrantRuns);
  introspection = machineRow(introspectRuns);
  refresh = { rps: median(refreshRuns.map((r) => r.rps)), rounds: refreshRuns.map((r) => Math.round(r.rps)), failed: refreshRuns.reduce((a, r) => a + r.failed, 0), errors: refreshRuns.reduce((a, r) => a + r.errors + r.non2xx, 0) };
  rawRotation = { rps: median(rawRuns.map((r) => r.rps)), rounds: rawRuns.map((r) => Math.round(r.rps)), chains: REFRESH_CHAINS };
  rawRotationOneChain = { rps: median(rawOneChainRuns.map((r) => r.rps)), rounds: rawOneChainRuns.map((r) => Math.round(r.rps)), chains: 1 };
  // Every control request must be the 400 it is meant to be, nothing else.
  refreshControl = { rps: median(controlRuns.map((r) => r.rps)), rounds: controlRuns.map((r) => Math.round(r.rps)), unexpected: controlRuns.reduce((a, r) => a + r.errors + r.requests - (r.statusCounts["400"] ?? 0), 0) };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
function pooled(runs) {
  const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    requests: all.length,
    statusErrors: runs.reduce((a, r) => a + r.statusErrors, 0),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    max: all.at(-1),
    p99PerRound: runs.map((r) => r.p99),
    logins: runs[0].logins
      ? { count: runs.reduce((a, r) => a + r.logins.count, 0), statusErrors: runs.reduce((a, r) => a + r.logins.statusErrors, 0) }
      : null,
  };
}

// 4. p99 at idle vs under 5 logins/s (same process), login throughput vs raw argon2id
let app;
let idle;
let loaded;
let logins;
let rawArgon2;
let loginRatio;
{
  // One set of chains per round, plus one for a warm-up run (JIT, statement cache, page cache).
  const srv = await startServer("servers/tessera-app.mjs", { env: { BENCH_REFRESH_CHAINS: String(REFRESH_CHAINS * (ROUNDS + 1)) } });
  const chainsOf = (set) => srv.refreshTokens.slice(set * REFRESH_CHAINS, (set + 1) * REFRESH_CHAINS);
  app = { hasher: srv.hasher, argon2: srv.argon2 };
  try {
    const base = { port: srv.port, token: srv.accessToken, email: srv.email, password: srv.password, rate: OPEN_LOOP_RATE, sockets: 16, seconds: OPEN_LOOP_SECONDS };
    // Idle and loaded alternate, and each pools its latencies over the rounds, so
    // background load on a shared machine falls on both alike.
    const idleRuns = [];
    const loadedRuns = [];
    for (let round = 1; round <= ROUNDS; round++) {
      log(`4. round ${round}/${ROUNDS}: open-loop protected GET at idle`);
      idleRuns.push(await runChild("load/open-loop.mjs", { ...base, loginRate: 0 }));
      log(`4. round ${round}/${ROUNDS}: open-loop protected GET with 5 logins/s`);
      loadedRuns.push(await runChild("load/open-loop.mjs", { ...base, loginRate: 5 }));
    }
    idle = pooled(idleRuns);
    loaded = pooled(loadedRuns);
    // Login throughput and the raw argon2id rate alternate too (the server idles meanwhile).
    const loginRuns = [];
    const rawRuns = [];
    const login = async (round) => {
      log(`4. round ${round}/${ROUNDS}: login throughput`);
      loginRuns.push(
        await runChild("load/autocannon-run.mjs", {
          port: srv.port,
          scenario: "login",
          email: srv.email,
          password: srv.password,
          connections: 4,
          duration: HTTP_SECONDS,
          warmup: 1,
        }),
      );
    };
    const raw = async (round) => {
      log(`4. round ${round}/${ROUNDS}: raw native argon2id`);
      rawRuns.push(await runChild("raw-argon2.mjs", { argon2: app.argon2, password: srv.password, seconds: HTTP_SECONDS }));
    };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const step of inRoundOrder([login, raw], round)) await step(round);
    }
    loginRatio = pairedRatio(loginRuns.map((r) => r.rps), rawRuns.map((r) => r.rps));
    logins = { rps: median(loginRuns.map((r) => r.rps)), rounds: loginRuns.map((r) => r.rps), non2xx: loginRuns.reduce((a, r) => a + r.non2xx, 0), errors: loginRuns.reduce((a, r) => a + r.errors, 0) };
    rawArgon2 = { rps: median(rawRuns.map((r) => r.rps)), rounds: rawRuns.map((r) => r.rps), concurrency: rawRuns[0].concurrency, msPerHash: median(rawRuns.map((r) => r.msPerHash)) };
  } finally {
    await srv.stop();
  }
}

// The table: every ratio from figures of this run.
const m = (name) => micro[name].avgUs;
const microRatio = (name, versus) => pairedRatio(micro[name].rounds, micro[versus].rounds);
const PROTECT = "requireAuth(…).protect(handler)";
const MIDDLEWARE = "requireAuth middleware";
const rows = [
  { item: 1, figure: "verifyAccessToken, repeated token", value: m("tessera verifyAccessToken, repeated token"), unit: "µs/op", ...microRatio("tessera verifyAccessToken, repeated token", "raw HMAC floor (createHmac + base64url + JSON.parse)"), versus: "raw HMAC floor", target: "≤ 0.5", pass: (r) => r <= 0.5 },
  { item: 1, figure: "verifyAccessToken, first sight", value: m("tessera verifyAccessToken, first sight"), unit: "µs/op", ...microRatio("tessera verifyAccessToken, first sight", "plain jose, pre-imported key"), versus: "plain jose", target: "", pass: null },
  { item: 1, figure: "raw HMAC floor", value: m("raw HMAC floor (createHmac + base64url + JSON.parse)"), unit: "µs/op", ratio: null, versus: "", target: "", pass: null },
  { item: 1, figure: "plain jose, pre-imported key", value: m("plain jose, pre-imported key"), unit: "µs/op", ratio: null, versus: "", target: "", pass: null },
  { item: 1, figure: "fast-jwt", value: m("fast-jwt"), unit: "µs/op", ratio: null, versus: "", target: "", pass: null },
  // The targets are judged on requireAuth's one-handler form, `protect(handler)`; the same targets
  // in parentheses show where the middleware form stands (bench/README.md: Hono's middleware
  // chain costs any middleware about 11 %).
  { item: 2, figure: `protected GET, one token reused, ${PROTECT}`, value: http.tesseraProtect.reused.rps, unit: "req/s", ...httpRatio("tesseraProtect", "reused", "honoHelloNoAuth"), versus: "hono hello, no auth", target: "≥ 0.85", pass: (r) => r >= 0.85 },
  { item: 2, figure: `protected GET, one token reused, ${PROTECT}`, value: http.tesseraProtect.reused.rps, unit: "req/s", ...httpRatio("tesseraProtect", "reused", "fastifyJwt"), versus: "fastify + @fastify/jwt", target: "≥ 1.3", pass: (r) => r >= 1.3 },
  { item: 2, figure: `protected GET, fresh token each request, ${PROTECT}`, value: http.tesseraProtect.fresh.rps, unit: "req/s", ...httpRatio("tesseraProtect", "fresh", "honoJose"), versus: "hono + plain jose", target: "≥ 0.8", pass: (r) => r >= 0.8 },
  { item: 2, figure: `protected GET, one token reused, ${MIDDLEWARE}`, value: http.tesseraRequireAuth.reused.rps, unit: "req/s", ...httpRatio("tesseraRequireAuth", "reused", "honoHelloNoAuth"), versus: "hono hello, no auth", target: "(≥ 0.85)", pass: (r) => r >= 0.85 },
  { item: 2, figure: `protected GET, one token reused, ${MIDDLEWARE}`, value: http.tesseraRequireAuth.reused.rps, unit: "req/s", ...httpRatio("tesseraRequireAuth", "reused", "fastifyJwt"), versus: "fastify + @fastify/jwt", target: "(≥ 1.3)", pass: (r) => r >= 1.3 },
  { item: 2, figure: `protected GET, fresh token each request, ${MIDDLEWARE}`, value: http.tesseraRequireAuth.fresh.rps, unit: "req/s", ...httpRatio("tesseraRequireAuth", "fresh", "honoJose"), versus: "hono + plain jose", target: "(≥ 0.8)", pass: (r) => r >= 0.8 },
  { item: 2, figure: `EdDSA (jwks): protected GET, one token reused, ${PROTECT}`, value: http.tesseraProtectEdDSA.reused.rps, unit: "req/s", ...httpRatio("tesseraProtectEdDSA", "reused", "honoHelloNoAuth"), versus: "hono hello, no auth", target: "≥ 0.85", pass: (r) => r >= 0.85 },
  { item: 2, figure: `EdDSA (jwks): protected GET, fresh token each request, ${PROTECT}`, value: http.tesseraProtectEdDSA.fresh.rps, unit: "req/s", ...httpRatio("tesseraProtectEdDSA", "fresh", "honoJoseEdDSA"), versus: "hono + plain jose, same Ed25519 key", target: "≥ 0.8", pass: (r) => r >= 0.8 },
  { item: 2, figure: "hono + plain jose, Ed25519 (fresh)", value: http.honoJoseEdDSA.fresh.rps, unit: "req/s", ratio: null, versus: "", target: "", pass: null },
  { item: 2, figure: `protected GET, one token reused, ${PROTECT}`, value: http.tesseraProtect.reused.rps, unit: "req/s", ...httpRatio("tesseraProtect", "reused", "honoJose"), versus: "hono + plain jose", target: "", pass: null },
  { item: 2, figure: `protected GET, fresh token each request, ${PROTECT}`, value: http.tesseraProtect.fresh.rps, unit: "req/s", ...httpRatio("tesseraProtect", "fresh", "fastifyJwt"), versus: "fastify + @fastify/jwt", target: "", pass: null },
  { item: 2, figure: `protected GET, one token reused, ${MIDDLEWARE}`, value: http.tesseraRequireAuth.reused.rps, unit: "req/s", ...httpRatio("tesseraRequireAuth", "reused", "honoNoopMiddleware"), versus: "hono + one no-op middleware (control)", target: "", pass: null },
  { item: 2, figure: `protected GET, one token reused, ${MIDDLEWARE}`, value: http.tesseraRequireAuth.reused.rps, unit: "req/s", ...httpRatio("tesseraRequireAuth", "reused", "honoHeaderMiddleware"), versus: "hono + a middleware reading Authorization (control)", target: "", pass: null },
  { item: 2, figure: `protected GET, one token reused, ${PROTECT}`, value: http.tesseraProtect.reused.rps, unit: "req/s", ...httpRatio("tesseraProtect", "reused", "honoHeaderHandler"), versus: "hono, one handler reading Authorization (control)", target: "", pass: null },
  { item: 2, figure: "hono, one handler reading Authorization (control)", value: http.honoHeaderHandler.reused.rps, unit: "req/s", ...httpRatio("honoHeaderHandler", "reused", "honoHelloNoAuth"), versus: "hono hello, no auth", target: "", pass: null },
  { item: 2, figure: "hono + one no-op middleware (control)", value: http.honoNoopMiddleware.reused.rps, unit: "req/s", ...httpRatio("honoNoopMiddleware", "reused", "honoHelloNoAuth"), versus: "hono hello, no auth", target: "", pass: null },
  { item: 2, figure: "hono + a middleware reading Authorization (control)", value: http.honoHeaderMiddleware.reused.rps, unit: "req/s", ...httpRatio("honoHeaderMiddleware", "reused", "honoHelloNoAuth"), versus: "hono hello, no auth", target: "", pass: null },
  { item: 2, figure: "hono hello, no auth", value: http.honoHelloNoAuth.reused.rps, unit: "req/s", ratio: null, versus: "", target: "", pass: null },
  { item: 2, figure: "fastify + @fastify/jwt (reused / fresh)", value: http.fastifyJwt.reused.rps, unit: "req/s", ratio: null, versus: `fresh: ${http.fastifyJwt.fresh.rps.toFixed(0)} req/s`, target: "", pass: null },
  { item: 2, figure: "hono + plain jose (reused / fresh)", value: http.honoJose.reused.rps, unit: "req/s", ratio: null, versus: `fresh: ${http.honoJose.fresh.rps.toFixed(0)} req/s`, target: "", pass: null },
  { item: 3, figure: "POST /auth/token refresh grant", value: refresh.rps, unit: "req/s", ...refreshRatio, versus: `raw better-sqlite3 rotation, ${rawRotation.chains} chains`, target: "≥ 0.4", pass: (r) => r >= 0.4 },
  { item: 3, figure: "POST /auth/token refresh grant", value: refresh.rps, unit: "req/s", ...refreshOneChainRatio, versus: "raw better-sqlite3 rotation, one chain", target: "(≥ 0.4)", pass: (r) => r >= 0.4 },
  { item: 3, figure: `raw better-sqlite3 rotation transaction, ${rawRotation.chains} chains`, value: rawRotation.rps, unit: "rotations/s", ratio: null, versus: "", target: "", pass: null },
  { item: 3, figure: "raw better-sqlite3 rotation transaction, one chain", value: rawRotationOneChain.rps, unit: "rotations/s", ratio: null, versus: "", target: "", pass: null },
  { item: 3, figure: "POST /auth/token client_credentials grant (Basic)", value: clientGrant.rps, unit: "req/s", ratio: clientGrant.ratio, low: clientGrant.low, high: clientGrant.high, perRound: clientGrant.perRound, versus: "refresh grant", target: "", pass: null },
  { item: 3, figure: "POST /auth/introspect, a user's access token (Basic)", value: introspection.rps, unit: "req/s", ratio: introspection.ratio, low: introspection.low, high: introspection.high, perRound: introspection.perRound, versus: "refresh grant", target: "", pass: null },
  { item: 3, figure: "POST /auth/token, unsupported grant (control)", value: refreshControl.rps, unit: "req/s", ...controlRatio, versus: `raw better-sqlite3 rotation, ${rawRotation.chains} chains`, target: "", pass: null },
  { item: 4, figure: "protected GET corrected p99, idle", value: idle.p99, unit: "ms", ratio: null, versus: "", target: "", pass: null },
  { item: 4, figure: "protected GET corrected p99, 5 logins/s", value: loaded.p99, unit: "ms", ratio: loaded.p99 / idle.p99, versus: "idle p99", target: "≤ 2.5", pass: (r) => r <= 2.5 },
  { item: 4, figure: `login throughput (${app.hasher})`, value: logins.rps, unit: "logins/s", ...loginRatio, versus: "raw native argon2id verify", target: "≥ 0.8", pass: (r) => r >= 0.8 },
  { item: 4, figure: "raw native argon2id verify", value: rawArgon2.rps, unit: "hashes/s", ratio: null, versus: `${rawArgon2.concurrency} in flight`, target: "", pass: null },
].map(({ pass, perRound, ...row }) => ({ cpuRatio: null, low: null, high: null, ...row, perRound, met: pass && row.ratio !== null ? pass(row.ratio) : null }));

const fmt = (v, digits = 2) => (v === null || v === undefined ? "" : v >= 100 ? v.toFixed(0) : v.toFixed(digits));
const header = ["#", "figure", "value", "unit", "ratio", "rounds", "versus", "target", "met", "CPU ratio"];
const spread = (r) => (r.low === null ? "" : `${fmt(r.low)}–${fmt(r.high)}`);
// Three decimals for a target's ratio, so one a hair under its bound never reads as equal to it.
const lines = rows.map((r) => [String(r.item), r.figure, fmt(r.value), r.unit, fmt(r.ratio, r.target ? 3 : 2), spread(r), r.versus, r.target, r.met === null ? "" : r.met ? "yes" : "NO", fmt(r.cpuRatio)]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const text = [header, widths.map((w) => "-".repeat(w)), ...lines].map((l) => l.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
console.log(`\nTessera bench — ${machine.nproc} cores, ${machine.cpu}, node ${machine.node}\n\n${text}\n`);

const checks = {
  verifiesTokens,
  freshTokensWrapped: Object.values(http).some((s) => s.fresh?.wrapped === true),
  non2xx: Object.fromEntries(Object.entries(http).map(([k, s]) => [k, Object.fromEntries(Object.entries(s).map(([sc, r]) => [sc, r.non2xx + r.errors]))])),
  refreshFailures: refresh.failed + refresh.errors,
  refreshControlUnexpected: refreshControl.unexpected,
  machineClientNon2xx: { clientCredentials: clientGrant.unexpected, introspect: introspection.unexpected },
  loginNon2xx: logins.non2xx + logins.errors,
  openLoopStatusErrors: idle.statusErrors + loaded.statusErrors,
  loginsDuringLoaded: loaded.logins,
};
machine.loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
const settings = { httpSeconds: HTTP_SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, rounds: ROUNDS, refreshChains: REFRESH_CHAINS, openLoop: { rate: OPEN_LOOP_RATE, secondsPerRound: OPEN_LOOP_SECONDS, loginRate: 5 }, loginConnections: 4, argon2: app.argon2, hasher: app.hasher };
writeFileSync(out("results.json"), `${JSON.stringify({ machine, settings, rows, checks, raw: { micro, http, refresh, refreshControl, clientGrant, introspection, rawRotation, rawRotationOneChain, idle, loaded, logins, rawArgon2 } }, null, 2)}\n`);

const md = [
  "# Tessera benchmark results",
  "",
  `Command: \`npm run bench\` (\`node bench/run.mjs\`). Machine: ${machine.nproc} cores (\`nproc\`), ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; run ${machine.date}; load average (1/5/15 min) ${machine.loadAverageAtStart.join(" / ")} at start and ${machine.loadAverageAtEnd.join(" / ")} at the end (anything above 0 is other work sharing the ${machine.nproc} cores).`,
  "",
  `Every ratio compares figures measured in this same run. HTTP: autocannon, ${CONNECTIONS} connections, ${HTTP_SECONDS} s after ${WARMUP_SECONDS} s of warm-up, ${ROUNDS} rounds (item 2 after one unrecorded warm-up round); in each round the two sides of every ratio run back to back, in an order that flips every round, and \"ratio\" is the median of the per-round ratios (\"rounds\" gives their lowest and highest); value is the median over rounds. Each server and each load generator in its own process, 127.0.0.1 only. p99: open loop at ${OPEN_LOOP_RATE} req/s, ${ROUNDS} rounds of ${OPEN_LOOP_SECONDS} s idle alternating with ${OPEN_LOOP_SECONDS} s under 5 logins/s, latencies pooled per condition, latency from each request's intended send time (coordinated-omission corrected). argon2id: m=${app.argon2.memoryKiB} KiB, t=${app.argon2.iterations}, p=${app.argon2.parallelism}; the service used the ${app.hasher} hasher.`,
  "",
  "| " + header.join(" | ") + " |",
  "|" + header.map(() => "---").join("|") + "|",
  ...lines.map((l) => "| " + l.join(" | ") + " |"),
  "",
  "\"CPU ratio\" (item 2) is the same comparison made from the server process's CPU time per request (`process.cpuUsage()`, the median of the per-round ratios): the throughput each server would reach on a core of its own. It is reported beside the req/s ratio as a second view of the same runs (on this VM a server's CPU per request also swings with the machine, so it is no steadier); the targets are judged on req/s.",
  "",
  `Status for a valid / tampered token: ${Object.entries(verifiesTokens).map(([k, v]) => `${k} ${v.valid}/${v.tampered}`).join(", ")}.`,
  "",
  `Sanity: fresh tokens wrapped around: ${checks.freshTokensWrapped}; refresh failures: ${checks.refreshFailures}; control requests other than 400: ${checks.refreshControlUnexpected}; client_credentials / introspection non-2xx: ${clientGrant.unexpected} / ${introspection.unexpected}; login non-2xx: ${checks.loginNon2xx}; open-loop errors: ${checks.openLoopStatusErrors}; logins during the loaded p99 run: ${loaded.logins?.count ?? 0} (errors ${loaded.logins?.statusErrors ?? 0}).`,
  "",
];
// The PostgreSQL section is written by `npm run bench:postgres` (bench/postgres.mjs); keep it.
const previous = existsSync(out("RESULTS.md")) ? readFileSync(out("RESULTS.md"), "utf8") : "";
const postgresSection = previous.indexOf(POSTGRES_SECTION);
writeFileSync(out("RESULTS.md"), md.join("\n") + (postgresSection >= 0 ? `\n${previous.slice(postgresSection)}` : ""));
log("wrote bench/results.json and bench/RESULTS.md");
