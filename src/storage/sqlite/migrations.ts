/**
 * Versions 1-4 of the schema, SQLite's own (released before the shared layer; later versions are
 * written once for both databases in ../sql/schema.ts). Each entry runs once, in order, inside a
 * transaction; the applied version is kept in SQLite's user_version. Never edit a released migration.
 *
 * Times are integers (milliseconds since the epoch, UTC) so that comparisons and expiry arithmetic
 * are exact in every adapter.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: users, access keys, login profiles */ `
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE COLLATE NOCASE,
    path               TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    password_last_used INTEGER
  );
  CREATE INDEX users_path ON users (path, name);
  CREATE TABLE user_tags (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key      TEXT NOT NULL COLLATE NOCASE, -- IAM tag keys are case-insensitive
    value    TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
  );
  CREATE TABLE access_keys (
    id                TEXT PRIMARY KEY,
    user_id           TEXT REFERENCES users (id),
    secret            TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
    created_at        INTEGER NOT NULL,
    last_used_at      INTEGER,
    last_used_region  TEXT,
    last_used_service TEXT
  );
  CREATE INDEX access_keys_user ON access_keys (user_id);
  CREATE TABLE login_profiles (
    user_id                 TEXT PRIMARY KEY REFERENCES users (id),
    password_hash           TEXT NOT NULL,
    created_at              INTEGER NOT NULL,
    password_changed_at     INTEGER NOT NULL,
    password_reset_required INTEGER NOT NULL
  );
  `,
  /* 2: the account password policy, password history, failure counters */ `
  CREATE TABLE password_policy (
    id                           INTEGER PRIMARY KEY CHECK (id = 1),
    minimum_password_length      INTEGER NOT NULL,
    require_symbols              INTEGER NOT NULL,
    require_numbers              INTEGER NOT NULL,
    require_uppercase_characters INTEGER NOT NULL,
    require_lowercase_characters INTEGER NOT NULL,
    allow_users_to_change_password INTEGER NOT NULL,
    max_password_age             INTEGER,
    password_reuse_prevention    INTEGER,
    hard_expiry                  INTEGER
  );
  CREATE TABLE password_history (
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    set_at        INTEGER NOT NULL,
    seq           INTEGER PRIMARY KEY AUTOINCREMENT
  );
  CREATE INDEX password_history_user ON password_history (user_id, seq);
  CREATE TABLE failure_counters (
    key               TEXT PRIMARY KEY,
    failures          INTEGER NOT NULL,
    window_started_at INTEGER NOT NULL
  );
  `,
  /* 3: IAM policies, groups, permissions boundaries, credential reports */ `
  ALTER TABLE users ADD COLUMN permissions_boundary TEXT;
  CREATE TABLE groups (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    path       TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
  );
  CREATE INDEX group_members_user ON group_members (user_id);
  CREATE TABLE managed_policies (
    arn             TEXT PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    path            TEXT NOT NULL,
    description     TEXT,
    default_version INTEGER NOT NULL,
    next_version    INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  );
  CREATE TABLE policy_versions (
    policy_arn TEXT NOT NULL REFERENCES managed_policies (arn) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    document   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (policy_arn, version)
  );
  CREATE TABLE inline_policies (
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('user', 'group')),
    owner_id   TEXT NOT NULL,
    name       TEXT NOT NULL COLLATE NOCASE,
    document   TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, name)
  );
  -- policy_arn may name an AWS managed policy, which has no row in managed_policies.
  CREATE TABLE policy_attachments (
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('user', 'group')),
    owner_id   TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, policy_arn)
  );
  CREATE INDEX policy_attachments_arn ON policy_attachments (policy_arn);
  CREATE TABLE credential_reports (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    generated_at INTEGER NOT NULL,
    content      BLOB NOT NULL
  );
  `,
  /* 4: console sessions and sign-in throttling */ `
  CREATE TABLE console_sessions (
    token_hash           TEXT PRIMARY KEY,
    user_id              TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at           INTEGER NOT NULL,
    expires_at           INTEGER NOT NULL,
    password_changed_at  INTEGER NOT NULL,
    must_change_password INTEGER NOT NULL
  );
  CREATE TABLE sign_in_throttle (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    blocked_until INTEGER -- NULL: not blocked; -1: blocked until cleared
  );
  `,
];
