-- Machine clients (OAuth 2.0 client_credentials). Secrets are stored as SHA-256 only; during a
-- secret rotation the previous hash is still accepted until previous_secret_expires_at.
-- `scopes` is space-separated; `audience` NULL means the service's JWT_AUDIENCE.
CREATE TABLE clients (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  previous_secret_hash TEXT,
  previous_secret_expires_at INTEGER,
  scopes TEXT NOT NULL,
  audience TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  disabled_at INTEGER,
  last_used_at INTEGER
);
