import * as v from "valibot";

import { ConfigError } from "./config-error.js";
import { parseSigningKeyConfig, type SigningKeyConfig } from "./tokens/signing-key-config.js";
import { EmailSchema } from "./users/email.js";
import { MIN_KEY_BYTES } from "./verify/key-ring.js";
import { ROLES, type Role } from "./verify/roles.js";

export interface RateLimitRule {
  count: number;
  windowSeconds: number;
}

export interface Config {
  environment: string;
  production: boolean;
  jwt: {
    /** Signs new tokens in HS256 mode; in every mode it keys the refresh-token successors. */
    secret: string;
    /** Still accepted for verification in HS256 mode, and for successors in every mode (rotation). */
    previousSecrets: string[];
    /** HS256 signs with `secret`; EdDSA and ES256 with `privateKey`, publishing the public keys. */
    algorithm: SigningKeyConfig["algorithm"];
    privateKey: SigningKeyConfig["privateKey"];
    previousPublicKeys: SigningKeyConfig["previousPublicKeys"];
    issuer: string;
    audience: string[];
    accessTokenTtl: number;
  };
  refreshTokenTtl: number;
  sessionMaxAge: number;
  refreshReuseGrace: number;
  argon2: { memoryKiB: number; iterations: number; parallelism: number };
  /** SQLite file on Node when `databaseUrl` is null. */
  databasePath: string;
  /** A `postgres://` or `postgresql://` URL: the Node entry uses PostgreSQL instead of SQLite. */
  databaseUrl: string | null;
  /** Connections each Node instance keeps open to PostgreSQL at most. */
  databasePoolSize: number;
  /** Seconds the Node entry waits for PostgreSQL to answer at start-up before giving up. */
  databaseStartupWait: number;
  port: number;
  host: string;
  allowedOrigins: string[];
  /** This service's external base URL, without a trailing slash; `null` when not set. */
  publicUrl: string | null;
  trustProxy: boolean;
  firstPartyClientId: string;
  /** The email is normalized as every account email is (trim, NFKC, lower case). */
  bootstrapAdmin: { email: string; password: string } | null;
  passwordMinLength: number;
  rateLimits: { login: RateLimitRule; account: RateLimitRule; authIp: RateLimitRule };
  roleScopes: Record<Role, string[]>;
  bodyLimitBytes: number;
  /** Seconds a machine client's previous secret keeps working after a rotation. */
  clientSecretOverlap: number;
  /** Serve `GET /openapi.json` (and, on Node, the `/docs` page). */
  apiDocs: boolean;
  /** Where the browser lands after provider sign-in when the start request named no target. */
  frontendUrl: string | null;
  /** Configured identity providers, in the order `GET /auth/providers` lists them. */
  providers: ProviderConfig[];
}

/** A provider users may sign in with (`GET /auth/oauth/:id/start`). */
export type ProviderConfig =
  | {
      kind: "oidc";
      /** `google` or an `OIDC_PROVIDERS` id. */
      id: string;
      label: string;
      /** Discovery at `<issuer>/.well-known/openid-configuration`. */
      issuer: string;
      clientId: string;
      clientSecret: string;
      scope: string;
    }
  | {
      kind: "github";
      id: "github";
      label: string;
      /** `https://github.com` or a GitHub Enterprise Server. */
      url: string;
      /** API base; paths are appended to it (it may carry `/api/v3`). */
      apiUrl: string;
      clientId: string;
      clientSecret: string;
      scope: string;
    };

export type Env = Record<string, string | undefined>;

export { ConfigError };


const DEFAULT_ROLE_SCOPES = '{"viewer":"read","user":"read write","admin":"read write delete admin"}';
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3 scope-token

const intIn = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+$/, "must be a whole number"),
    v.transform(Number),
    v.number(),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const bool = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.picklist(["true", "false", "1", "0", "yes", "no"], "must be true or false"),
  v.transform((s) => s === "true" || s === "1" || s === "yes"),
);

const rateRule = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^\d+\/\d+$/, "must look like COUNT/SECONDS, e.g. 5/60"),
  v.transform((s): RateLimitRule => {
    const [count, windowSeconds] = s.split("/").map(Number) as [number, number];
    return { count, windowSeconds };
  }),
  v.check((r) => r.count >= 1 && r.windowSeconds >= 1, "COUNT and SECONDS must both be at least 1"),
);

const nonEmpty = v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty"));

// A NUL or a line break (a badly quoted .env) would otherwise reach the file system as part of the name.
const filePath = v.pipe(nonEmpty, v.regex(/^[^\x00-\x1F\x7F]+$/, "must not contain control characters"));

// Only PostgreSQL is reached by URL; a typo such as `postgress://` must not fall back to SQLite silently.
const postgresUrl = v.pipe(
  nonEmpty,
  v.check((s) => /^postgres(ql)?:$/.test(absoluteUrl(s)?.protocol ?? ""), "must be a postgres:// or postgresql:// URL"),
);

// Catches HOST=http://0.0.0.0, which the listener would only refuse later with a DNS error.
const hostName = v.pipe(nonEmpty, v.regex(/^[^\s/]+$/, "must be a host name or IP address, without scheme or path"));

const commaList = v.pipe(
  v.string(),
  v.transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  ),
);

const origin = v.pipe(
  v.string(),
  v.check((o) => o === "*" || isExactOrigin(o), "each entry must be an exact origin like https://app.example.com"),
);

// Plain http is tolerated only where it never leaves the machine (local development, tests).
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

const baseUrl = v.pipe(
  v.string(),
  v.trim(),
  v.check((s) => absoluteUrl(s) !== null, "must be an absolute URL like https://auth.example.com"),
  v.check((s) => !s.includes("?") && !s.includes("#"), "must not have a query or a fragment"),
  v.transform((s) => new URL(s)),
  v.check(
    (u) => u.protocol === "https:" || (u.protocol === "http:" && LOOPBACK_HOSTS.has(u.hostname)),
    "must use https (http only on 127.0.0.1, [::1] or localhost)",
  ),
  v.check((u) => u.username === "" && u.password === "", "must not contain a user name or password"),
  v.transform((u) => u.href.replace(/\/+$/, "")),
);

function absoluteUrl(s: string): URL | null {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}

function isExactOrigin(o: string): boolean {
  const u = absoluteUrl(o);
  return u !== null && (u.protocol === "https:" || u.protocol === "http:") && u.origin === o;
}

function read<T>(env: Env, name: string, schema: v.GenericSchema<string, T>, fallback: string): T {
  const raw = env[name];
  const value = raw === undefined || raw.trim() === "" ? fallback : raw;
  const result = v.safeParse(schema, value);
  if (!result.success) throw new ConfigError(`${name}: ${result.issues[0].message}`);
  return result.output;
}

/** Like `read`, for a variable that is unset (`null`) unless given. */
function readOptional<T>(env: Env, name: string, schema: v.GenericSchema<string, T>): T | null {
  return (env[name] ?? "").trim() === "" ? null : read(env, name, schema, "");
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).byteLength;
}

function parseRoleScopes(env: Env): Record<Role, string[]> {
  const raw = env.ROLE_SCOPES?.trim() || DEFAULT_ROLE_SCOPES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError("ROLE_SCOPES: must be a JSON object mapping each role to a space-separated scope string");
  }
  const schema = v.strictObject(
    { viewer: v.string(), user: v.string(), admin: v.string() },
    "must name exactly the roles viewer, user and admin",
  );
  const result = v.safeParse(schema, parsed);
  if (!result.success) throw new ConfigError(`ROLE_SCOPES: ${result.issues[0].message}`);
  const out = {} as Record<Role, string[]>;
  for (const role of ROLES) {
    const scopes = result.output[role].split(" ").filter((s) => s.length > 0);
    if (scopes.length === 0) throw new ConfigError(`ROLE_SCOPES: role "${role}" needs at least one scope`);
    if (!scopes.every((s) => SCOPE_TOKEN.test(s))) throw new ConfigError(`ROLE_SCOPES: role "${role}" has an invalid scope`);
    out[role] = [...new Set(scopes)];
  }
  return out;
}

const PROVIDER_ID = /^[a-z0-9-]{1,32}$/;

/** Each `OIDC_PROVIDERS` entry; `issuer` must pass the same https rule as `PUBLIC_URL`. */
const OidcProviderEntry = v.object(
  {
    // Kept exactly as written: discovery compares it byte for byte with the document's `issuer`.
    issuer: v.pipe(
      v.string("issuer must be a string"),
      v.trim(),
      v.check((s) => v.safeParse(baseUrl, s).success, "issuer must be an https URL (http only on 127.0.0.1, [::1] or localhost)"),
    ),
    client_id: v.pipe(v.string("client_id must be a string"), nonEmpty),
    client_secret: v.pipe(v.string("client_secret must be a string"), nonEmpty),
    scope: v.optional(v.pipe(v.string("scope must be a string"), nonEmpty)),
    label: v.optional(v.pipe(v.string("label must be a string"), nonEmpty)),
  },
  "each provider must be an object with issuer, client_id and client_secret",
);

function parseProviders(env: Env): ProviderConfig[] {
  const providers: ProviderConfig[] = [];
  const pair = (idName: string, secretName: string) => {
    const id = (env[idName] ?? "").trim();
    const secret = (env[secretName] ?? "").trim();
    if ((id === "") !== (secret === "")) throw new ConfigError(`${id === "" ? idName : secretName}: required when ${id === "" ? secretName : idName} is set`);
    return id === "" ? null : { clientId: id, clientSecret: secret };
  };
  const google = pair("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET");
  if (google) {
    const issuer = read(env, "GOOGLE_ISSUER", baseUrl, "https://accounts.google.com");
    providers.push({ kind: "oidc", id: "google", label: "Google", issuer, scope: "openid email profile", ...google });
  }
  const github = pair("GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET");
  if (github) {
    const url = read(env, "GITHUB_URL", baseUrl, "https://github.com");
    const apiUrl = read(env, "GITHUB_API_URL", baseUrl, "https://api.github.com");
    providers.push({ kind: "github", id: "github", label: "GitHub", url, apiUrl, scope: "read:user user:email", ...github });
  }
  const raw = env.OIDC_PROVIDERS?.trim() ?? "";
  if (raw !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ConfigError('OIDC_PROVIDERS: must be a JSON object like {"<id>": {"issuer", "client_id", "client_secret"}}');
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError('OIDC_PROVIDERS: must be a JSON object like {"<id>": {"issuer", "client_id", "client_secret"}}');
    }
    for (const [id, entry] of Object.entries(parsed)) {
      if (!PROVIDER_ID.test(id)) throw new ConfigError(`OIDC_PROVIDERS: provider id "${id.slice(0, 40)}" must match [a-z0-9-]{1,32}`);
      if (id === "google" || id === "github") throw new ConfigError(`OIDC_PROVIDERS: "${id}" is reserved; use the ${id.toUpperCase()}_* variables`);
      const result = v.safeParse(OidcProviderEntry, entry);
      if (!result.success) throw new ConfigError(`OIDC_PROVIDERS: ${id}: ${result.issues[0].message}`);
      const e = result.output;
      providers.push({
        kind: "oidc",
        id,
        label: e.label ?? id,
        issuer: e.issuer,
        clientId: e.client_id,
        clientSecret: e.client_secret,
        scope: e.scope ?? "openid email profile",
      });
    }
  }
  return providers;
}

/**
 * One rule for both fields: production when `NODE_ENV` or `ENVIRONMENT` says so (a deploy that
 * sets only one of them must not run lax), and `environment` then says "production" too.
 */
function readEnvironment(env: Env): { environment: string; production: boolean } {
  const named = [env.NODE_ENV, env.ENVIRONMENT].map((x) => x?.trim().toLowerCase() ?? "").filter((x) => x !== "");
  if (named.includes("production")) return { environment: "production", production: true };
  return { environment: named[0] ?? "development", production: false };
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * The origins whose pages may use the cookie flow: every `ALLOWED_ORIGINS`
 * entry and `PUBLIC_URL`'s origin (a UI served by Tessera itself).
 *
 * @example
 * requireCsrfProof(trustedOrigins(config)); // ["https://app.example.com", "https://auth.example.com"]
 */
export function trustedOrigins(config: Pick<Config, "allowedOrigins" | "publicUrl">): string[] {
  if (config.publicUrl === null) return [...config.allowedOrigins];
  return [...new Set([...config.allowedOrigins, new URL(config.publicUrl).origin])];
}

/**
 * Parses the environment once, at start-up. Throws `ConfigError` with one
 * line naming the bad variable; never reads `process.env` itself.
 *
 * @example
 * const config = parseConfig(process.env, { warn: (m) => console.warn(m) });
 */
export function parseConfig(env: Env, options: { warn?: (message: string) => void } = {}): Config {
  const { environment, production } = readEnvironment(env);

  let secret = env.JWT_SECRET ?? "";
  if (secret === "") {
    if (production) throw new ConfigError(`JWT_SECRET: required in production (at least ${MIN_KEY_BYTES} bytes)`);
    secret = randomSecret();
    options.warn?.(
      `WARNING: JWT_SECRET is not set; using a random secret for this process only. Tokens will not survive a restart. Set JWT_SECRET (${MIN_KEY_BYTES}+ bytes) before deploying.`,
    );
  } else if (byteLength(secret) < MIN_KEY_BYTES) {
    throw new ConfigError(`JWT_SECRET: must be at least ${MIN_KEY_BYTES} bytes`);
  }
  const previousSecrets = read(env, "JWT_PREVIOUS_SECRETS", commaList, "");
  if (previousSecrets.some((s) => byteLength(s) < MIN_KEY_BYTES)) {
    throw new ConfigError(`JWT_PREVIOUS_SECRETS: every key must be at least ${MIN_KEY_BYTES} bytes`);
  }

  const signing = parseSigningKeyConfig(env, { production, warn: options.warn });

  const audience = read(env, "JWT_AUDIENCE", commaList, "tessera");
  if (audience.length === 0) throw new ConfigError("JWT_AUDIENCE: must name at least one audience");

  const allowedOrigins = read(env, "ALLOWED_ORIGINS", v.pipe(commaList, v.array(origin)), "");
  if (production && allowedOrigins.includes("*")) {
    throw new ConfigError("ALLOWED_ORIGINS: '*' is not allowed in production; list exact origins");
  }

  const publicUrl = readOptional(env, "PUBLIC_URL", baseUrl);
  const providers = parseProviders(env);
  // The redirect_uri every provider is registered with is built from it.
  if (providers.length > 0 && publicUrl === null) throw new ConfigError("PUBLIC_URL: required once a sign-in provider is configured");
  const frontendUrl = readOptional(env, "FRONTEND_URL", baseUrl);
  if (frontendUrl !== null && !trustedOrigins({ allowedOrigins, publicUrl }).includes(new URL(frontendUrl).origin)) {
    throw new ConfigError("FRONTEND_URL: its origin must be in ALLOWED_ORIGINS or be PUBLIC_URL's");
  }

  // Checked here, not at bootstrap: a bad address is a configuration error, found before any request.
  const bootstrapEmail = readOptional(env, "BOOTSTRAP_ADMIN_EMAIL", EmailSchema);
  const bootstrapPassword = env.BOOTSTRAP_ADMIN_PASSWORD ?? "";

  return {
    environment,
    production,
    jwt: {
      secret,
      previousSecrets,
      ...signing,
      issuer: read(env, "JWT_ISSUER", nonEmpty, "tessera"),
      audience,
      accessTokenTtl: read(env, "ACCESS_TOKEN_TTL", intIn(30, 86_400), "900"),
    },
    refreshTokenTtl: read(env, "REFRESH_TOKEN_TTL", intIn(60, 31_536_000), "1209600"),
    sessionMaxAge: read(env, "SESSION_MAX_AGE", intIn(60, 63_072_000), "7776000"),
    refreshReuseGrace: read(env, "REFRESH_REUSE_GRACE", intIn(0, 300), "10"),
    argon2: {
      memoryKiB: read(env, "ARGON2_MEMORY_KIB", intIn(8, 4_194_304), "19456"),
      iterations: read(env, "ARGON2_ITERATIONS", intIn(1, 100), "2"),
      parallelism: read(env, "ARGON2_PARALLELISM", intIn(1, 16), "1"),
    },
    databasePath: read(env, "DATABASE_PATH", filePath, "./data/tessera.sqlite"),
    databaseUrl: readOptional(env, "DATABASE_URL", postgresUrl),
    databasePoolSize: read(env, "DATABASE_POOL_SIZE", intIn(1, 1000), "10"),
    databaseStartupWait: read(env, "DATABASE_STARTUP_WAIT", intIn(0, 3600), "30"),
    port: read(env, "PORT", intIn(0, 65_535), "3000"),
    host: read(env, "HOST", hostName, "127.0.0.1"),
    allowedOrigins,
    publicUrl,
    trustProxy: read(env, "TRUST_PROXY", bool, "false"),
    firstPartyClientId: read(env, "FIRST_PARTY_CLIENT_ID", nonEmpty, "tessera"),
    bootstrapAdmin:
      bootstrapEmail !== null && bootstrapPassword !== "" ? { email: bootstrapEmail, password: bootstrapPassword } : null,
    passwordMinLength: read(env, "PASSWORD_MIN_LENGTH", intIn(8, 256), "8"),
    rateLimits: {
      login: read(env, "LOGIN_RATE_LIMIT", rateRule, "5/60"),
      account: read(env, "ACCOUNT_RATE_LIMIT", rateRule, "100/3600"),
      authIp: read(env, "AUTH_IP_RATE_LIMIT", rateRule, "300/60"),
    },
    roleScopes: parseRoleScopes(env),
    bodyLimitBytes: 16 * 1024,
    clientSecretOverlap: read(env, "CLIENT_SECRET_OVERLAP", intIn(0, 2_592_000), "3600"),
    apiDocs: read(env, "API_DOCS", bool, "true"),
    frontendUrl,
    providers,
  };
}
