// tessera: embed the service. Sibling services that only verify tokens import `tessera/verify`.
export { createApp, type AppDeps } from "./app.js";
export type { Services } from "./services.js";
export { parseConfig, ConfigError, type Config, type Env } from "./config.js";
export type { Database } from "./db/schema.js";
export { SqlFileMigrationProvider, type SqlMigrationFile } from "./db/migrations.js";
export type { PasswordHasher, Argon2Params } from "./passwords/password-hasher.js";
export { createHashWasmHasher } from "./passwords/hash-wasm-hasher.js";
export type { AuditEvent, AuditSink } from "./audit/audit-log.js";
export type { Clock } from "./clock.js";
