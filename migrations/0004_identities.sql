-- Sign-in with an identity provider. An identity is one provider account, named by the
-- provider's stable subject; `email` is what the provider last asserted (informational).
CREATE TABLE identities (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  email TEXT,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX identities_provider_subject ON identities(provider, subject);
-- One identity per provider per user: unlinking names the provider.
CREATE UNIQUE INDEX identities_user_provider ON identities(user_id, provider);

-- States of provider callbacks already answered, so a replayed callback fails even with the
-- cookie it came with. Rows are useless after expires_at (the cookie's own expiry).
CREATE TABLE oauth_used_states (
  state_hash TEXT PRIMARY KEY NOT NULL,
  expires_at INTEGER NOT NULL
);
