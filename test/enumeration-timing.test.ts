import { describe, expect, it } from "vitest";
import { createTestApp } from "./support/harness.js";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// A security property, not a performance target: an unknown email must cost
// what a wrong password costs, or response time reveals which accounts exist.
describe("login timing does not reveal whether an account exists", () => {
  it("unknown-email and wrong-password logins have medians within 35%", async () => {
    const t = await createTestApp({
      env: { ARGON2_MEMORY_KIB: "4096", ARGON2_ITERATIONS: "2", LOGIN_RATE_LIMIT: "1000/60", AUTH_IP_RATE_LIMIT: "1000/60" },
    });
    await t.register("known@example.com", "the real passphrase here");
    await t.login("ghost@example.com", "warm up the dummy hash");
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 15; i++) {
      let start = performance.now();
      expect((await t.login(`ghost${i}@example.com`, "wrong password value")).status).toBe(400);
      unknown.push(performance.now() - start);
      start = performance.now();
      expect((await t.login("known@example.com", "wrong password value")).status).toBe(400);
      wrong.push(performance.now() - start);
    }
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.65);
    expect(ratio).toBeLessThan(1 / 0.65);
  });
});
