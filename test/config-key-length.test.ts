import { describe, expect, it, vi } from "vitest";
import { ConfigError, parseConfig } from "../src/config.js";

// The verifier's minimum, raised here: the config must follow it rather than keep a number of its own.
vi.mock("../src/verify/key-ring.js", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../src/verify/key-ring.js")>()),
  MIN_KEY_BYTES: 40,
}));

describe("the configuration refuses keys with the verifier's own minimum length", () => {
  it.each([
    [{ JWT_SECRET: "k".repeat(39) }, "JWT_SECRET: must be at least 40 bytes"],
    [{ JWT_SECRET: "k".repeat(40), JWT_PREVIOUS_SECRETS: "p".repeat(39) }, "JWT_PREVIOUS_SECRETS: every key must be at least 40 bytes"],
    [{ NODE_ENV: "production" }, "JWT_SECRET: required in production (at least 40 bytes)"],
  ])("%j", (env, message) => {
    expect(() => parseConfig(env)).toThrow(new ConfigError(message));
  });

  it("accepts keys of exactly that length", () => {
    expect(parseConfig({ JWT_SECRET: "k".repeat(40), JWT_PREVIOUS_SECRETS: "p".repeat(40) }).jwt.previousSecrets).toHaveLength(1);
  });
});
