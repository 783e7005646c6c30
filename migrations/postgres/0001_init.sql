-- Tessera initial schema, PostgreSQL variant of ../0001_init.sql: same tables, columns and
-- indexes. Timestamps are epoch milliseconds in BIGINT (INTEGER is 32-bit here), and text keys
-- compare bytewise (COLLATE "C", as SQLite does), so ordering and range scans by id or email
-- behave the same whatever the server's locale.

CREATE TABLE users (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  email TEXT COLLATE "C" NOT NULL UNIQUE,
  name TEXT,
  password_hash TEXT,
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user', 'viewer')),
  disabled_at BIGINT,
  email_verified_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE INDEX users_role ON users (role);

CREATE TABLE sessions (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoke_reason TEXT,
  user_agent TEXT,
  ip TEXT
);

CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE refresh_tokens (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  rotated_at BIGINT
);

CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
