// Item 1: verifyAccessToken µs/op against the raw HMAC floor, plain jose and fast-jwt (mitata).
import { createHmac, timingSafeEqual } from "node:crypto";
import { createVerifier } from "fast-jwt";
import { jwtVerify } from "jose";
import { measure, do_not_optimize } from "mitata";
import { verifyAccessToken } from "../dist/verify/index.js";
import { serveJob } from "./lib/child.mjs";
import { AUDIENCE, ISSUER, SECRET } from "./lib/config.mjs";
import { median } from "./lib/stats.mjs";
import { mintTokens } from "./lib/tokens.mjs";

serveJob(async (job) => {
  const tokens = mintTokens(job.tokenCount);
  const token = tokens[0];
  const options = { secret: SECRET, issuer: ISSUER, audience: AUDIENCE };
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const fastJwt = createVerifier({ key: SECRET, algorithms: ["HS256"], allowedIss: ISSUER, allowedAud: AUDIENCE });
  const joseOptions = { algorithms: ["HS256"], typ: "at+jwt", issuer: ISSUER, audience: AUDIENCE, requiredClaims: ["iss", "aud", "exp", "iat", "sub", "jti"] };

  // The physical floor of any HS256 verifier: one HMAC, one base64url decode, one JSON.parse.
  function rawHmac(t) {
    const dot = t.lastIndexOf(".");
    const mac = createHmac("sha256", SECRET).update(t.slice(0, dot)).digest();
    const sig = Buffer.from(t.slice(dot + 1), "base64url");
    if (sig.length !== mac.length || !timingSafeEqual(sig, mac)) throw new Error("bad signature");
    return JSON.parse(Buffer.from(t.slice(t.indexOf(".") + 1, dot), "base64url").toString());
  }

  for (const t of [token, tokens[1]]) {
    if ((await verifyAccessToken(t, options)).sub !== rawHmac(t).sub) throw new Error("verifiers disagree");
  }
  // tokens[0] is the repeated one. Cycling through far more tokens than the cache holds
  // (FIFO, 10,000) keeps every other one a miss, eviction included.
  let i = 0;
  let wraps = 0;
  const nextFresh = () => {
    if (++i === tokens.length) (i = 1), wraps++;
    return tokens[i];
  };
  const opts = { min_cpu_time: (job.minCpuMs / job.rounds) * 1e6 };
  const cases = {
    "tessera verifyAccessToken, repeated token": () => verifyAccessToken(token, options),
    "tessera verifyAccessToken, first sight": () => verifyAccessToken(nextFresh(), options),
    // The peers keep no cache, so each gets a token it has not seen, like a first sight:
    // verifying one string over and over flatters them (string and JIT caches).
    "raw HMAC floor (createHmac + base64url + JSON.parse)": () => do_not_optimize(rawHmac(nextFresh())),
    "plain jose, pre-imported key": () => jwtVerify(nextFresh(), key, joseOptions),
    "fast-jwt": () => do_not_optimize(fastJwt(nextFresh())),
  };
  // Rounds in an order that flips each time, so a slow spell of the machine falls on every case
  // alike; each case reports its median over rounds, and the per-round figures are kept.
  const perRound = {};
  for (let round = 1; round <= job.rounds; round++) {
    const names = Object.keys(cases);
    for (const name of round % 2 === 1 ? names : names.reverse()) {
      const stats = await measure(cases[name], opts);
      (perRound[name] ??= []).push({ avgUs: stats.avg / 1000, p50Us: stats.p50 / 1000, p99Us: stats.p99 / 1000, samples: stats.samples.length });
    }
  }
  const results = {};
  for (const [name, runs] of Object.entries(perRound)) {
    results[name] = { avgUs: median(runs.map((r) => r.avgUs)), p50Us: median(runs.map((r) => r.p50Us)), p99Us: median(runs.map((r) => r.p99Us)), rounds: runs.map((r) => r.avgUs) };
  }
  results.freshTokenWraps = wraps;
  return results;
});
