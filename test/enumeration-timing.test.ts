import { describe, expect, it } from "vitest";
import { parseArgon2idParams } from "../src/passwords/password-hasher.js";
import { createTestApp, recordPasswordWork, type PasswordWork } from "./support/harness.js";

const WRONG = "wrong password value";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(login: () => Promise<{ status: number }>): Promise<number> {
  const start = performance.now();
  const res = await login();
  const elapsed = performance.now() - start;
  expect(res.status).toBe(400);
  return elapsed;
}

// A security property, not a performance target: an unknown email must cost
// what a wrong password costs, or response time reveals which accounts exist.
describe("login timing does not reveal whether an account exists", () => {
  it("an unknown-email login verifies one hash of the configured cost, as a wrong-password login does", async () => {
    const work: PasswordWork = { hashes: 0, verified: [] };
    const t = await createTestApp({ wrapPasswords: (real) => recordPasswordWork(real, work) });
    await t.register("known@example.com", "the real passphrase here");
    await t.login("ghost@example.com", WRONG); // makes the dummy hash once, on first need

    const attempts = [
      { name: "wrong password", login: () => t.login("known@example.com", WRONG) },
      { name: "unknown email", login: () => t.login("ghost2@example.com", WRONG) },
    ];
    for (const { name, login } of attempts) {
      work.hashes = 0;
      work.verified = [];
      expect((await login()).status, name).toBe(400);
      expect(work.hashes, name).toBe(0);
      expect(work.verified, name).toHaveLength(1);
      // The same argon2 cost as a stored password hash, or the dummy would answer faster.
      expect(parseArgon2idParams(work.verified[0]!), name).toEqual(t.config.argon2);
    }
  });

  it("unknown-email and wrong-password logins take about as long, pair by pair", async () => {
    // A cost well above the request's own overhead, so a skipped hash shows as a ratio near 0.
    const t = await createTestApp({
      env: { ARGON2_MEMORY_KIB: "4096", ARGON2_ITERATIONS: "2", LOGIN_RATE_LIMIT: "1000/60", AUTH_IP_RATE_LIMIT: "1000/60" },
    });
    await t.register("known@example.com", "the real passphrase here");
    await t.login("ghost@example.com", "warm up the dummy hash");
    // Interleaved pairs, alternating which goes first, compared pair by pair: a burst of load
    // from other processes slows both halves of a pair, or spoils only a few pairs' ratios,
    // which the median ignores. Tolerance is wide because a skipped hash is a ratio near 0.
    const ratios: number[] = [];
    for (let i = 0; i < 21; i++) {
      const unknown = () => timed(() => t.login(`ghost${i}@example.com`, WRONG));
      const wrong = () => timed(() => t.login("known@example.com", WRONG));
      if (i % 2 === 0) {
        const u = await unknown();
        ratios.push(u / (await wrong()));
      } else {
        const w = await wrong();
        ratios.push((await unknown()) / w);
      }
    }
    const ratio = median(ratios);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
