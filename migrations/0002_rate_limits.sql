-- Fixed-window counters shared by every process and isolate.
-- `key` names the limit and subject (e.g. "login:<email>:<ip>"); the window
-- start is part of the row so a new window starts from zero.
CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY NOT NULL,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at);
