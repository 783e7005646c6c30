// The Node entry (`npm start`) on PostgreSQL: it waits for a server that is not up yet, says so
// in one JSON line per attempt, answers /health by the server's state, and drains its pool on
// SIGTERM. The server is reached through a relay that can be cut and restored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyDatabase, createRelay, startInstance, untilHealthy, type Instance } from "../support/instances.js";

const SECRET = "node-entry-pg-secret-that-is-long-enough-0123";

let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let relay: Awaited<ReturnType<typeof createRelay>>;
let instance: Instance;

beforeAll(async () => {
  database = await createEmptyDatabase();
  relay = await createRelay();
});

afterAll(async () => {
  instance?.kill();
  await instance?.exited;
  await relay?.close();
  await database?.drop();
});

describe("the Node entry on PostgreSQL", () => {
  it("waits for a server that comes up after it, logging each attempt, then migrates and serves", async () => {
    instance = await startInstance({ JWT_SECRET: SECRET, DATABASE_URL: relay.urlFor(database.url), DATABASE_POOL_SIZE: "2" });
    // Nothing listens on the relay's port yet: the entry must keep trying, not exit.
    for (let i = 0; i < 100 && !instance.output().includes("database not reachable yet"); i++) await new Promise((r) => setTimeout(r, 50));
    const waiting = instance.output().split("\n").find((l) => l.includes("database not reachable yet"));
    expect(JSON.parse(waiting!)).toMatchObject({ level: "warn", attempt: 1, reason: "ECONNREFUSED" });
    await relay.open();
    await untilHealthy(instance);
    expect(instance.output()).toContain('"migrations applied"');
  });

  it("answers /health 503 while the server is unreachable, and 200 again when it is back", async () => {
    await relay.close();
    const down = await fetch(`${instance.base}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "unavailable" });
    const register = await fetch(`${instance.base}/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "down@example.com", password: "a long enough passphrase" }),
    });
    expect(register.status).toBe(503);
    expect((await register.json()).error).toBe("temporarily_unavailable");
    await relay.open();
    await untilHealthy(instance, 10_000);
  });

  it("shuts down on SIGTERM with exit code 0, ending its connections", async () => {
    instance.kill("SIGTERM");
    expect(await instance.exited).toBe(0);
    expect(instance.output()).toContain("shutting down");
  });

  it("gives up with the one start-up failure line when the server never answers", async () => {
    const env = { JWT_SECRET: SECRET, DATABASE_URL: "postgres://postgres@127.0.0.1:1/none", DATABASE_STARTUP_WAIT: "2" };
    const doomed = await startInstance(env);
    expect(await doomed.exited).toBe(1);
    expect(doomed.output()).toMatch(/^tessera: failed to start: database not reachable after \d+ attempts in \d+ s \(ECONNREFUSED\)$/m);
  }, 40_000);
});
