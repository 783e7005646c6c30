import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, trustedOrigins } from "../src/config.js";

const SECRET = "x".repeat(32);

function error(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return "no error";
}

describe("configuration defaults are the documented ones (docs/configuration.md)", () => {
  it("parses an empty development environment with a random secret and a loud warning", () => {
    const warnings: string[] = [];
    const config = parseConfig({}, { warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/JWT_SECRET/);
    expect(new TextEncoder().encode(config.jwt.secret).byteLength).toBeGreaterThanOrEqual(32);
    expect(config.jwt).toMatchObject({ issuer: "tessera", audience: ["tessera"], accessTokenTtl: 900, previousSecrets: [] });
    expect(config).toMatchObject({
      refreshTokenTtl: 1_209_600,
      sessionMaxAge: 7_776_000,
      refreshReuseGrace: 10,
      argon2: { memoryKiB: 19456, iterations: 2, parallelism: 1 },
      databasePath: "./data/tessera.sqlite",
      port: 3000,
      host: "127.0.0.1",
      allowedOrigins: [],
      publicUrl: null,
      trustProxy: false,
      firstPartyClientId: "tessera",
      bootstrapAdmin: null,
      passwordMinLength: 8,
      rateLimits: {
        login: { count: 5, windowSeconds: 60 },
        account: { count: 100, windowSeconds: 3600 },
        authIp: { count: 300, windowSeconds: 60 },
      },
      roleScopes: { viewer: ["read"], user: ["read", "write"], admin: ["read", "write", "delete", "admin"] },
      bodyLimitBytes: 16384,
      clientSecretOverlap: 3600,
    });
    expect(parseConfig({}).jwt.secret).not.toBe(config.jwt.secret);
  });

  it("reads comma lists for audience, previous secrets and origins", () => {
    const config = parseConfig({
      JWT_SECRET: SECRET,
      JWT_AUDIENCE: "orders, billing",
      JWT_PREVIOUS_SECRETS: `${"a".repeat(32)},${"b".repeat(40)}`,
      ALLOWED_ORIGINS: "https://app.example.com,http://localhost:5173",
    });
    expect(config.jwt.audience).toEqual(["orders", "billing"]);
    expect(config.jwt.previousSecrets).toHaveLength(2);
    expect(config.allowedOrigins).toEqual(["https://app.example.com", "http://localhost:5173"]);
  });
});

describe("BOOTSTRAP_ADMIN_EMAIL is checked and normalized at start-up", () => {
  it("stores the address as every account email is stored", () => {
    const config = parseConfig({ JWT_SECRET: SECRET, BOOTSTRAP_ADMIN_EMAIL: " Root@EXAMPLE.com ", BOOTSTRAP_ADMIN_PASSWORD: " pw " });
    expect(config.bootstrapAdmin).toEqual({ email: "root@example.com", password: " pw " });
  });

  it("checks the address even when the password is missing", () => {
    expect(error({ JWT_SECRET: SECRET, BOOTSTRAP_ADMIN_EMAIL: "root" })).toMatch(/^BOOTSTRAP_ADMIN_EMAIL: /);
    expect(parseConfig({ JWT_SECRET: SECRET, BOOTSTRAP_ADMIN_EMAIL: "root@example.com" }).bootstrapAdmin).toBeNull();
  });
});

describe("PUBLIC_URL is an absolute https URL, stored without a trailing slash", () => {
  it.each([
    ["https://auth.example.com/", "https://auth.example.com"],
    [" https://Auth.Example.com:8443/tessera/ ", "https://auth.example.com:8443/tessera"],
    ["http://localhost:3000", "http://localhost:3000"],
    ["http://127.0.0.1:8787/", "http://127.0.0.1:8787"],
    ["http://[::1]:3000/", "http://[::1]:3000"],
  ])("%s -> %s, in production too", (raw, stored) => {
    expect(parseConfig({ NODE_ENV: "production", JWT_SECRET: SECRET, PUBLIC_URL: raw }).publicUrl).toBe(stored);
  });

  it("adds its origin, not its path, to the origins trusted for the cookie flow", () => {
    const config = parseConfig({ JWT_SECRET: SECRET, ALLOWED_ORIGINS: "https://app.example.com", PUBLIC_URL: "https://auth.example.com/tessera" });
    expect(trustedOrigins(config)).toEqual(["https://app.example.com", "https://auth.example.com"]);
    expect(trustedOrigins({ ...config, publicUrl: null })).toEqual(["https://app.example.com"]);
    expect(trustedOrigins({ allowedOrigins: ["http://localhost:3000"], publicUrl: "http://localhost:3000" })).toEqual(["http://localhost:3000"]);
  });
});

describe("DATABASE_PATH and HOST are read like every other variable", () => {
  it("trims them, and falls back to the defaults when they are blank", () => {
    expect(parseConfig({ JWT_SECRET: SECRET, DATABASE_PATH: "  :memory:\r", HOST: " :: " })).toMatchObject({
      databasePath: ":memory:",
      host: "::",
    });
    expect(parseConfig({ JWT_SECRET: SECRET, DATABASE_PATH: " \t", HOST: "" })).toMatchObject({
      databasePath: "./data/tessera.sqlite",
      host: "127.0.0.1",
    });
  });
});

describe("DATABASE_URL selects PostgreSQL; without it, SQLite at DATABASE_PATH", () => {
  it("defaults to SQLite with a pool size of 10 and a 30 s start-up wait kept for PostgreSQL", () => {
    expect(parseConfig({ JWT_SECRET: SECRET })).toMatchObject({ databaseUrl: null, databasePoolSize: 10, databaseStartupWait: 30 });
  });

  it.each(["postgres://tessera:pw@db.internal:5432/tessera", "postgresql://db/tessera?sslmode=require"])("accepts %s", (url) => {
    expect(parseConfig({ JWT_SECRET: SECRET, DATABASE_URL: ` ${url} `, DATABASE_POOL_SIZE: "25" })).toMatchObject({ databaseUrl: url, databasePoolSize: 25 });
  });
});

describe("a bad value stops start-up with one line naming the variable", () => {
  it.each([
    [{ JWT_SECRET: "short" }, /^JWT_SECRET: /],
    [{ JWT_SECRET: SECRET, JWT_PREVIOUS_SECRETS: "short" }, /^JWT_PREVIOUS_SECRETS: /],
    [{ JWT_SECRET: SECRET, ACCESS_TOKEN_TTL: "ten" }, /^ACCESS_TOKEN_TTL: /],
    [{ JWT_SECRET: SECRET, PORT: "70000" }, /^PORT: /],
    [{ JWT_SECRET: SECRET, LOGIN_RATE_LIMIT: "5 per minute" }, /^LOGIN_RATE_LIMIT: /],
    [{ JWT_SECRET: SECRET, TRUST_PROXY: "maybe" }, /^TRUST_PROXY: /],
    [{ JWT_SECRET: SECRET, ALLOWED_ORIGINS: "https://app.example.com/path" }, /^ALLOWED_ORIGINS: /],
    [{ JWT_SECRET: SECRET, ROLE_SCOPES: "{not json" }, /^ROLE_SCOPES: /],
    [{ JWT_SECRET: SECRET, ROLE_SCOPES: '{"viewer":"read","user":"read"}' }, /^ROLE_SCOPES: /],
    [{ JWT_SECRET: SECRET, ROLE_SCOPES: '{"viewer":"read","user":"read","admin":"read","owner":"x"}' }, /^ROLE_SCOPES: /],
    [{ JWT_SECRET: SECRET, ROLE_SCOPES: '{"viewer":"","user":"read","admin":"read"}' }, /^ROLE_SCOPES: /],
    [{ JWT_SECRET: SECRET, PASSWORD_MIN_LENGTH: "4" }, /^PASSWORD_MIN_LENGTH: /],
    [{ JWT_SECRET: SECRET, PUBLIC_URL: "auth.example.com" }, /^PUBLIC_URL: must be an absolute URL like https:\/\/auth.example.com$/],
    [{ JWT_SECRET: SECRET, PUBLIC_URL: "http://auth.example.com" }, /^PUBLIC_URL: must use https \(http only on 127.0.0.1, \[::1\] or localhost\)$/],
    [{ JWT_SECRET: SECRET, PUBLIC_URL: "http://localhost.example.com" }, /^PUBLIC_URL: must use https/],
    [{ JWT_SECRET: SECRET, PUBLIC_URL: "ftp://auth.example.com" }, /^PUBLIC_URL: must use https/],
    [{ JWT_SECRET: SECRET, PUBLIC_URL: "https://auth.example.com/?next=1" }, /^PUBLIC_URL: must not have a query or a fragment$/],
    [{ JWT_SECRET: SECRET, PUBLIC_URL: "https://auth.example.com/#" }, /^PUBLIC_URL: must not have a query or a fragment$/],
    [{ JWT_SECRET: SECRET, PUBLIC_URL: "https://ops:pw@auth.example.com" }, /^PUBLIC_URL: must not contain a user name or password$/],
    [{ JWT_SECRET: SECRET, BOOTSTRAP_ADMIN_EMAIL: "not-an-email" }, /^BOOTSTRAP_ADMIN_EMAIL: must be a valid email address$/],
    [{ JWT_SECRET: SECRET, BOOTSTRAP_ADMIN_EMAIL: `${"a".repeat(250)}@x.io` }, /^BOOTSTRAP_ADMIN_EMAIL: must be at most 254 characters$/],
    [{ JWT_SECRET: SECRET, DATABASE_PATH: "data/tessera\u0000.sqlite" }, /^DATABASE_PATH: must not contain control characters$/],
    [{ JWT_SECRET: SECRET, DATABASE_PATH: "data/tessera\n.sqlite" }, /^DATABASE_PATH: /],
    [{ JWT_SECRET: SECRET, HOST: "http://0.0.0.0" }, /^HOST: must be a host name or IP address, without scheme or path$/],
    [{ JWT_SECRET: SECRET, HOST: "local host" }, /^HOST: /],
    [{ JWT_SECRET: SECRET, DATABASE_URL: "postgress://db/tessera" }, /^DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL$/],
    [{ JWT_SECRET: SECRET, DATABASE_URL: "./data/tessera.sqlite" }, /^DATABASE_URL: must be a postgres/],
    [{ JWT_SECRET: SECRET, DATABASE_POOL_SIZE: "0" }, /^DATABASE_POOL_SIZE: must be at least 1$/],
    [{ JWT_SECRET: SECRET, DATABASE_POOL_SIZE: "2.5" }, /^DATABASE_POOL_SIZE: must be a whole number$/],
    [{ JWT_SECRET: SECRET, DATABASE_STARTUP_WAIT: "-1" }, /^DATABASE_STARTUP_WAIT: /],
  ])("%j", (env, pattern) => {
    const message = error(env as Record<string, string>);
    expect(message).toMatch(pattern);
    expect(message).not.toContain("\n");
  });
});

describe("production turns on every strict check", () => {
  it("refuses a missing secret", () => {
    expect(error({ NODE_ENV: "production" })).toMatch(/^JWT_SECRET: required/);
    expect(error({ ENVIRONMENT: "production" })).toMatch(/^JWT_SECRET: required/);
  });

  it("refuses a short secret", () => {
    expect(error({ NODE_ENV: "production", JWT_SECRET: "a".repeat(31) })).toMatch(/^JWT_SECRET: /);
  });

  it("refuses ALLOWED_ORIGINS containing *", () => {
    expect(error({ NODE_ENV: "production", JWT_SECRET: SECRET, ALLOWED_ORIGINS: "*" })).toMatch(/^ALLOWED_ORIGINS: /);
  });

  it.each([
    [{ NODE_ENV: "development", ENVIRONMENT: "production" }],
    [{ NODE_ENV: "production", ENVIRONMENT: "development" }],
    [{ ENVIRONMENT: " Production " }],
  ])("is on when either NODE_ENV or ENVIRONMENT says production, and environment then says so too: %j", (names) => {
    const config = parseConfig({ JWT_SECRET: SECRET, ...names });
    expect([config.production, config.environment]).toEqual([true, "production"]);
  });

  it("is off otherwise, and environment is the first of NODE_ENV or ENVIRONMENT that is set", () => {
    const pick = (env: Record<string, string>) => {
      const config = parseConfig({ JWT_SECRET: SECRET, ...env });
      return [config.production, config.environment];
    };
    expect(pick({ NODE_ENV: "Test", ENVIRONMENT: "staging" })).toEqual([false, "test"]);
    expect(pick({ NODE_ENV: " ", ENVIRONMENT: "staging" })).toEqual([false, "staging"]);
    expect(pick({})).toEqual([false, "development"]);
  });

  it("counts the secret in UTF-8 bytes", () => {
    expect(parseConfig({ NODE_ENV: "production", JWT_SECRET: "é".repeat(16) }).jwt.secret).toHaveLength(16);
  });
});
