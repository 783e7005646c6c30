-- PostgreSQL variant of ../0004_identities.sql: BIGINT epoch milliseconds, bytewise ids.
CREATE TABLE identities (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  email TEXT,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX identities_provider_subject ON identities(provider, subject);
CREATE UNIQUE INDEX identities_user_provider ON identities(user_id, provider);

CREATE TABLE oauth_used_states (
  state_hash TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  expires_at BIGINT NOT NULL
);
