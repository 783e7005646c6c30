-- PostgreSQL variant of ../0003_clients.sql: BIGINT epoch milliseconds, bytewise ids.
CREATE TABLE clients (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  previous_secret_hash TEXT,
  previous_secret_expires_at BIGINT,
  scopes TEXT NOT NULL,
  audience TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  disabled_at BIGINT,
  last_used_at BIGINT
);
