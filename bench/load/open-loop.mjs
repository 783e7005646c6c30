// Open-loop load at a constant rate, corrected for coordinated omission: each request
// has an intended send time on a fixed schedule and its latency is measured from that
// time, so a stalled server is charged for every request it delayed (HdrHistogram's
// "corrected" histogram). Optionally runs logins at their own constant rate meanwhile.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { serveJob } from "../lib/child.mjs";
import { HOST, PROTECTED_PATH } from "../lib/config.mjs";

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Sends `rate` requests per second for `seconds`; returns corrected latencies in ms. */
function constantRate({ rate, seconds, sockets, send }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const total = Math.round(rate * seconds);
  const latencies = [];
  let statusErrors = 0;
  const start = performance.now() + 50;
  return new Promise((resolve) => {
    let sent = 0;
    let finished = 0;
    function tick() {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rate <= now) {
        const intended = start + (sent * 1000) / rate;
        sent++;
        // The agent queues the request when all sockets are busy; the wait counts.
        send(agent, (status) => {
          latencies.push(performance.now() - intended);
          if (status !== 200) statusErrors++;
          if (++finished === total) {
            agent.destroy();
            resolve({ latencies, statusErrors });
          }
        });
      }
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, start + (sent * 1000) / rate - performance.now())));
    }
    tick();
  });
}

function request(port, agent, options, body, done) {
  const req = http.request({ host: HOST, port, agent, ...options }, (res) => {
    res.resume();
    res.on("end", () => done(res.statusCode));
  });
  req.on("error", () => done(0));
  req.end(body);
}

serveJob(async (job) => {
  const getProtected = (agent, done) =>
    request(job.port, agent, { method: "GET", path: PROTECTED_PATH, headers: { authorization: `Bearer ${job.token}` } }, undefined, done);
  const loginBody = new URLSearchParams({ grant_type: "password", username: job.email ?? "", password: job.password ?? "" }).toString();
  const login = (agent, done) =>
    request(
      job.port,
      agent,
      { method: "POST", path: "/auth/token", headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(loginBody) } },
      loginBody,
      done,
    );

  // Warm-up: JIT, the verify cache and the connections, not recorded.
  await constantRate({ rate: job.rate, seconds: 1, sockets: job.sockets, send: getProtected });
  const logins = job.loginRate > 0 ? constantRate({ rate: job.loginRate, seconds: job.seconds, sockets: 8, send: login }) : null;
  const gets = await constantRate({ rate: job.rate, seconds: job.seconds, sockets: job.sockets, send: getProtected });
  const loginResult = logins ? await logins : null;
  const sorted = gets.latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    statusErrors: gets.statusErrors,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1),
    latencies: sorted.map((ms) => Math.round(ms * 1000) / 1000),
    logins: loginResult ? { count: loginResult.latencies.length, statusErrors: loginResult.statusErrors, p50: percentile(loginResult.latencies.sort((a, b) => a - b), 50) } : null,
  };
});
