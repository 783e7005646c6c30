-- PostgreSQL variant of ../0002_rate_limits.sql: BIGINT epoch milliseconds.
-- The upsert on `key` is one atomic statement here too, whichever instance runs it.
CREATE TABLE rate_limits (
  key TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  window_start BIGINT NOT NULL,
  count INTEGER NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at);
