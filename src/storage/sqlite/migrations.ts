/**
 * Versioned schema. Each entry runs once, in order, inside a transaction; the applied version is
 * kept in SQLite's user_version. Never edit a released migration: add the next one.
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
];
