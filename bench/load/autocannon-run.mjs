// Closed-loop HTTP load with autocannon, in its own process. Tokens are HS256, or EdDSA when the
// job says `alg: "EdDSA"`. Scenarios:
//  reused  — one token on every request;
//  fresh   — a never-seen token on every request (pre-minted, rotated through setupRequest);
//  refresh — the refresh grant, each connection following its own rotation chain;
//  login   — the password grant;
//  client-credentials — the client_credentials grant, the client authenticated with HTTP Basic;
//  introspect — POST /auth/introspect of a user's access token, the caller authenticated with HTTP Basic;
//  unsupported-grant — POST /auth/token with a grant type the service refuses (400): the
//            refresh request's whole path (security headers, body limit, the per-IP /auth
//            counter, body parsing, validation, a JSON answer) without rotation or signing.
import autocannon from "autocannon";
import { serveJob } from "../lib/child.mjs";
import { CONNECTIONS, HOST, PROTECTED_PATH } from "../lib/config.mjs";
import { mintTokens } from "../lib/tokens.mjs";

/** HTTP Basic as RFC 6749 §2.3.1 has it (ids and secrets are base64url: nothing to form-encode). */
const clientAuth = (job) => ({ authorization: `Basic ${Buffer.from(`${job.clientId}:${job.clientSecret}`).toString("base64")}` });

function requestsFor(job) {
  switch (job.scenario) {
    case "reused": {
      const token = job.token ?? mintTokens(1, { alg: job.alg })[0];
      return { requests: [{ method: "GET", path: PROTECTED_PATH, headers: { authorization: `Bearer ${token}` } }] };
    }
    case "fresh": {
      const tokens = mintTokens(job.tokenCount, { alg: job.alg });
      let next = 0;
      const state = { wrapped: false };
      return {
        state,
        requests: [
          {
            method: "GET",
            path: PROTECTED_PATH,
            setupRequest(req) {
              if (next === tokens.length) {
                next = 0;
                state.wrapped = true; // would turn misses into hits: reported, and sized not to happen
              }
              return { ...req, headers: { authorization: `Bearer ${tokens[next++]}` } };
            },
          },
        ],
      };
    }
    case "refresh": {
      // Each response's refresh_token goes back into the pool; autocannon builds a
      // connection's next request only after its response, so a chain never forks.
      const pool = [...job.refreshTokens];
      const state = { failed: 0, pool };
      return {
        state,
        requests: [
          {
            method: "POST",
            path: "/auth/token",
            setupRequest(req) {
              const token = pool.shift();
              return { ...req, headers: { "content-type": "application/x-www-form-urlencoded" }, body: `grant_type=refresh_token&refresh_token=${token}` };
            },
            onResponse(status, body) {
              if (status === 200) pool.push(JSON.parse(body).refresh_token);
              else state.failed++;
            },
          },
        ],
      };
    }
    case "login": {
      const body = new URLSearchParams({ grant_type: "password", username: job.email, password: job.password }).toString();
      return { requests: [{ method: "POST", path: "/auth/token", headers: { "content-type": "application/x-www-form-urlencoded" }, body }] };
    }
    case "client-credentials":
      return { requests: [{ method: "POST", path: "/auth/token", headers: { ...clientAuth(job), "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=client_credentials" }] };
    case "introspect":
      return { requests: [{ method: "POST", path: "/auth/introspect", headers: { ...clientAuth(job), "content-type": "application/x-www-form-urlencoded" }, body: `token=${job.token}` }] };
    case "unsupported-grant":
      return { requests: [{ method: "POST", path: "/auth/token", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `grant_type=bench_control&refresh_token=rt_${"A".repeat(43)}` }] };
    default:
      throw new Error(`unknown scenario ${job.scenario}`);
  }
}

function run(job, duration) {
  const { requests, state } = requestsFor(job);
  return new Promise((resolve, reject) => {
    autocannon(
      { url: `http://${HOST}:${job.port}`, connections: job.connections ?? CONNECTIONS, pipelining: 1, duration, requests },
      (err, result) => (err ? reject(err) : resolve({ result, state })),
    );
  });
}

serveJob(async (job) => {
  const warm = job.warmup > 0 ? (await run(job, job.warmup)).result : null;
  const { result, state } = await run(job, job.duration);
  return {
    warmupRequests: warm ? warm.requests.total : 0,
    requests: result.requests.total,
    rps: result.requests.total / job.duration,
    non2xx: result.non2xx,
    statusCounts: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
    errors: result.errors + result.timeouts,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    ...state,
  };
});
