// PostgreSQL bench (`npm run bench:postgres`, not part of `npm test`): on one PostgreSQL server,
//   1. the refresh grant over HTTP (the real entry, dist/node/main.js, DATABASE_URL) against
//      a raw `pg` rotation: the same statements hand-written (prepared, one client per
//      connection, no HTTP, no Kysely, no JWT), at the same concurrency;
//   2. the refresh grant through one instance against two instances with the load split.
// Needs a built package (`npm run build`) and a server: BENCH_POSTGRES_URL, or
// TESSERA_TEST_POSTGRES_URL as `scripts/with-postgres.sh npm run bench:postgres` sets it.
// Each run works in a database of its own, dropped at the end.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import autocannon from "autocannon";
import pg from "pg";
import { POSTGRES_SECTION } from "./lib/results-sections.mjs";
import { median } from "./lib/stats.mjs";

const BASE_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TESSERA_TEST_POSTGRES_URL;
if (!BASE_URL) {
  console.error("bench/postgres.mjs: set BENCH_POSTGRES_URL, or run `scripts/with-postgres.sh npm run bench:postgres`");
  process.exit(2);
}
const CONNECTIONS = 10; // autocannon connections, and raw pg clients
const CHAINS = 64; // refresh chains, as in `npm run bench`
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POOL_SIZE = 10;
const SECRET = "bench-postgres-secret-that-is-long-enough-0123";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function admin(query) {
  const client = new pg.Client(BASE_URL);
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

/** One Tessera process, as `npm start` runs it, on `url`. */
async function startInstance(url) {
  const port = await freePort();
  const child = spawn(process.execPath, ["dist/node/main.js"], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      JWT_SECRET: SECRET,
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      PORT: String(port),
      // Set-up registers the chains' users; the refresh grant hashes nothing.
      ARGON2_MEMORY_KIB: "64",
      ARGON2_ITERATIONS: "1",
      REFRESH_REUSE_GRACE: "300",
      AUTH_IP_RATE_LIMIT: "100000000/60",
      LOGIN_RATE_LIMIT: "100000000/60",
      ACCOUNT_RATE_LIMIT: "100000000/3600",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, port, stop: () => child.kill("SIGTERM") };
    } catch {}
    await sleep(100);
  }
  throw new Error("instance did not start");
}

async function registerChains(base, prefix) {
  const tokens = [];
  for (let i = 0; i < CHAINS; i++) {
    const res = await fetch(`${base}/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `${prefix}${i}@bench.example`, password: "bench password that is long enough" }),
    });
    if (res.status !== 201) throw new Error(`register ${res.status}`);
    tokens.push((await res.json()).refresh_token);
  }
  return tokens;
}

/** Successful refresh grants per second over HTTP; `targets` share the connections and the chains. */
async function httpRefresh(targets, chains) {
  const perTarget = CONNECTIONS / targets.length;
  const runs = targets.map((target, t) => {
    const pool = chains.filter((_, i) => i % targets.length === t);
    // Tokens sent but not yet answered when the run stops go back to the pool: the grace
    // window (REFRESH_REUSE_GRACE=300 below) answers a repeated one with the same successor.
    const inflight = new Set();
    let failed = 0;
    let ok = 0;
    const run = autocannon({
      url: target.base,
      connections: perTarget,
      duration: SECONDS,
      requests: [
        {
          method: "POST",
          path: "/auth/token",
          setupRequest: (req, context) => {
            context.token = pool.shift();
            inflight.add(context.token);
            return { ...req, headers: { "content-type": "application/x-www-form-urlencoded" }, body: `grant_type=refresh_token&refresh_token=${context.token}` };
          },
          onResponse: (status, body, context) => {
            inflight.delete(context.token);
            if (status === 200) {
              ok++;
              pool.push(JSON.parse(body).refresh_token);
            } else {
              failed++;
              pool.push(context.token);
            }
          },
        },
      ],
    });
    return run.then(() => ({ requests: ok, failed, pool: [...pool, ...inflight] }));
  });
  const results = await Promise.all(runs);
  // Put the chains back in order for the next round: each target's pool holds its live tokens.
  const next = [];
  results.forEach((r, t) => r.pool.forEach((token, k) => (next[k * targets.length + t] = token)));
  chains.splice(0, chains.length, ...next.filter(Boolean));
  const total = results.reduce((n, r) => n + r.requests, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  return { rps: total / SECONDS, failed };
}

/** The raw floor: the service's rotation statements with `pg`, one client per connection. */
async function rawRotation(url) {
  const sha = (t) => createHash("sha256").update(t).digest("base64url");
  const key = randomBytes(32);
  const setup = new pg.Client(url);
  await setup.connect();
  const now = Date.now();
  await setup.query("INSERT INTO users (id, email, role, created_at, updated_at) VALUES ($1, $2, 'user', $3, $3) ON CONFLICT DO NOTHING", ["raw-user", "raw@bench.example", now]);
  const chains = [];
  for (let c = 0; c < CHAINS; c++) {
    const sid = randomUUID();
    await setup.query("INSERT INTO sessions (id, user_id, client_id, scope, created_at, last_used_at, expires_at) VALUES ($1, 'raw-user', 'tessera', 'read', $2, $2, $3)", [sid, now, now + 7_776_000_000]);
    const first = `rt_${randomBytes(32).toString("base64url")}`;
    await setup.query("INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", [randomUUID(), sid, sha(first), now, now + 1_209_600_000]);
    chains.push(first);
  }
  await setup.end();

  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    const c = new pg.Client(url);
    await c.connect();
    return c;
  }));
  const find = {
    name: "find",
    text: `SELECT t.id, t.rotated_at, t.expires_at, s.id AS sid, s.revoked_at, s.expires_at AS s_exp, u.disabled_at
           FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id WHERE t.token_hash = $1`,
  };
  const insert = { name: "insert", text: "INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at, rotated_at) VALUES ($1, $2, $3, $4, $5, NULL) ON CONFLICT (token_hash) DO NOTHING" };
  const mark = { name: "mark", text: "UPDATE refresh_tokens SET rotated_at = $1 WHERE id = $2 AND rotated_at IS NULL" };
  const touch = { name: "touch", text: "UPDATE sessions SET last_used_at = $1 WHERE id = $2" };
  async function rotate(client, token) {
    const t = Date.now();
    const { rows: [row] } = await client.query({ ...find, values: [sha(token)] });
    if (!row || row.rotated_at !== null || Number(row.expires_at) <= t || row.revoked_at !== null || Number(row.s_exp) <= t || row.disabled_at !== null) throw new Error("invalid_grant");
    const successor = `rt_${createHmac("sha256", key).update(token).digest("base64url")}`;
    await client.query("BEGIN");
    await client.query({ ...insert, values: [randomUUID(), row.sid, sha(successor), t, t + 1_209_600_000] });
    const marked = await client.query({ ...mark, values: [t, row.id] });
    await client.query({ ...touch, values: [t, row.sid] });
    await client.query("COMMIT");
    if (marked.rowCount !== 1) throw new Error("lost race");
    return successor;
  }
  const rounds = [];
  async function measure() {
    let count = 0;
    const end = performance.now() + SECONDS * 1000;
    const start = performance.now();
    // Each client follows its own chains in turn, so no two rotate the same token.
    await Promise.all(clients.map(async (client, k) => {
      const mine = chains.map((_, i) => i).filter((i) => i % CONNECTIONS === k);
      let turn = 0;
      while (performance.now() < end) {
        const i = mine[turn];
        chains[i] = await rotate(client, chains[i]);
        turn = (turn + 1) % mine.length;
        count++;
      }
    }));
    return count / ((performance.now() - start) / 1000);
  }
  return {
    measure: async () => {
      const rps = await measure();
      rounds.push(rps);
      return rps;
    },
    close: () => Promise.all(clients.map((c) => c.end())),
  };
}

const name = `tessera_bench_${Date.now()}`;
await admin(`CREATE DATABASE ${name}`);
const url = new URL(BASE_URL);
url.pathname = `/${name}`;
const dbUrl = url.href;
const started = new Date().toISOString();
const load0 = loadavg().map((x) => x.toFixed(2));
try {
  // The service migrates the database at start-up; the raw floor uses the same tables.
  const one = await startInstance(dbUrl);
  const second = await startInstance(dbUrl);
  const chains = await registerChains(one.base, "c");
  const raw = await rawRotation(dbUrl);

  // Warm-up, unrecorded.
  await httpRefresh([one], chains);
  await raw.measure();

  const ratioRounds = [];
  const httpRounds = [];
  const rawRounds = [];
  const oneRounds = [];
  const twoRounds = [];
  const scaleRounds = [];
  let failed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Both sides of each ratio back to back, the order flipping every round.
    const flip = round % 2 === 1;
    let http, floor;
    if (flip) {
      floor = await raw.measure();
      http = await httpRefresh([one], chains);
    } else {
      http = await httpRefresh([one], chains);
      floor = await raw.measure();
    }
    httpRounds.push(http.rps);
    rawRounds.push(floor);
    ratioRounds.push(http.rps / floor);
    failed += http.failed;

    const single = flip ? null : await httpRefresh([one], chains);
    const split = await httpRefresh([one, second], chains);
    const single2 = single ?? (await httpRefresh([one], chains));
    oneRounds.push(single2.rps);
    twoRounds.push(split.rps);
    scaleRounds.push(split.rps / single2.rps);
    failed += split.failed + single2.failed;
  }
  await raw.close();
  one.stop();
  second.stop();

  second.stop();

  const fmt = (x, d = 0) => x.toFixed(d);
  const range = (xs) => `${fmt(Math.min(...xs), 2)}–${fmt(Math.max(...xs), 2)}`;
  const lines = [
    POSTGRES_SECTION,
    "",
    `Command: \`BENCH_ROUNDS=${ROUNDS} BENCH_SECONDS=${SECONDS} scripts/with-postgres.sh npm run bench:postgres\` (\`bench/postgres.mjs\`; not part of`,
    "`npm run bench`). The server is Debian's PostgreSQL as `scripts/with-postgres.sh` starts it (loopback,",
    "`fsync=off`, `synchronous_commit=off`: a throwaway server, so a commit costs no disk flush on either side of the",
    "ratio). The server, the Tessera processes and autocannon (or the raw clients) share the same cores, unpinned.",
    "",
    `Run ${started}; ${cpus().length} cores, Node ${process.version}; load average ${load0.join(" / ")} at start, ${loadavg().map((x) => x.toFixed(2)).join(" / ")} at the end.`,
    `${ROUNDS} rounds of ${SECONDS} s after one unrecorded warm-up, ${CONNECTIONS} connections, ${CHAINS} chains, DATABASE_POOL_SIZE=${POOL_SIZE}; refresh failures: ${failed}.`,
    "",
    "| figure | value | unit | ratio | rounds | versus | target | met |",
    "|---|---|---|---|---|---|---|---|",
    `| refresh grant over HTTP, one instance | ${fmt(median(httpRounds))} | req/s | ${fmt(median(ratioRounds), 3)} | ${range(ratioRounds)} | raw pg rotation | ≥ 0.4 | ${median(ratioRounds) >= 0.4 ? "yes" : "NO"} |`,
    `| raw pg rotation transaction | ${fmt(median(rawRounds))} | rotations/s |  |  |  |  |  |`,
    `| refresh grant, two instances, load split | ${fmt(median(twoRounds))} | req/s | ${fmt(median(scaleRounds), 3)} | ${range(scaleRounds)} | one instance (${fmt(median(oneRounds))} req/s) |  |  |`,
    "",
    "The raw floor runs the statements of a refresh (the token, session and user lookup, then one transaction: insert",
    "the successor, mark the token rotated, touch the session) from 10 `pg` clients with named prepared statements; the",
    "HTTP side also pays the per-IP `/auth` counter, HTTP, the JWT and Kysely. The two-instance row splits the same 10",
    "connections over two processes on the same database; on one 2-core machine that also runs the server and the",
    "load generator, the cores, not the instance, are the limit.",
    "",
  ];
  console.log(lines.join("\n"));
  const results = new URL("./RESULTS.md", import.meta.url);
  const previous = existsSync(results) ? readFileSync(results, "utf8") : "";
  const at = previous.indexOf(POSTGRES_SECTION);
  const before = (at >= 0 ? previous.slice(0, at) : previous).replace(/\n*$/, "\n\n");
  writeFileSync(results, before + lines.join("\n"));
} finally {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
