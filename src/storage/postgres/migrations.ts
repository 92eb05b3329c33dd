import type pg from 'pg';
import { render, SHARED_MIGRATIONS } from '../sql/schema.js';

/**
 * Versions 1-4 of the schema for PostgreSQL (released before the shared layer; later versions are
 * written once for both databases in ../sql/schema.ts). Each entry runs once, in order, in its own
 * transaction, and is recorded in schema_migrations. Never edit a released migration.
 *
 * Text columns use the "C" collation, so comparisons and ordering are bytewise as in SQLite, and
 * lower() folds ASCII letters only, exactly as SQLite's NOCASE does, whatever the database's
 * locale. Names and tag keys are unique case-insensitively through unique indexes on lower(…).
 * Times are BIGINT milliseconds since the epoch (UTC), as in SQLite.
 */
export const OWN_MIGRATIONS: readonly string[] = [
  /* 1: users, access keys, login profiles */ `
  CREATE TABLE settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE users (
    id                 TEXT COLLATE "C" PRIMARY KEY,
    name               TEXT COLLATE "C" NOT NULL,
    path               TEXT COLLATE "C" NOT NULL,
    created_at         BIGINT NOT NULL,
    password_last_used BIGINT
  );
  CREATE UNIQUE INDEX users_name_ci ON users (lower(name));
  CREATE INDEX users_path ON users (path, lower(name));
  CREATE TABLE user_tags (
    user_id  TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key      TEXT COLLATE "C" NOT NULL,
    value    TEXT COLLATE "C" NOT NULL,
    position INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX user_tags_key_ci ON user_tags (user_id, lower(key)); -- IAM tag keys are case-insensitive
  CREATE TABLE access_keys (
    id                TEXT COLLATE "C" PRIMARY KEY,
    user_id           TEXT COLLATE "C" REFERENCES users (id),
    secret            TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
    created_at        BIGINT NOT NULL,
    last_used_at      BIGINT,
    last_used_region  TEXT,
    last_used_service TEXT
  );
  CREATE INDEX access_keys_user ON access_keys (user_id);
  CREATE TABLE login_profiles (
    user_id                 TEXT COLLATE "C" PRIMARY KEY REFERENCES users (id),
    password_hash           TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    password_changed_at     BIGINT NOT NULL,
    password_reset_required BOOLEAN NOT NULL
  );
  `,
  /* 2: the account password policy, password history, failure counters */ `
  CREATE TABLE password_policy (
    id                             INTEGER PRIMARY KEY CHECK (id = 1),
    minimum_password_length        INTEGER NOT NULL,
    require_symbols                BOOLEAN NOT NULL,
    require_numbers                BOOLEAN NOT NULL,
    require_uppercase_characters   BOOLEAN NOT NULL,
    require_lowercase_characters   BOOLEAN NOT NULL,
    allow_users_to_change_password BOOLEAN NOT NULL,
    max_password_age               INTEGER,
    password_reuse_prevention      INTEGER,
    hard_expiry                    BOOLEAN
  );
  CREATE TABLE password_history (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    set_at        BIGINT NOT NULL
  );
  CREATE INDEX password_history_user ON password_history (user_id, seq);
  CREATE TABLE failure_counters (
    key               TEXT COLLATE "C" PRIMARY KEY,
    failures          INTEGER NOT NULL,
    window_started_at BIGINT NOT NULL
  );
  `,
  /* 3: IAM policies, groups, permissions boundaries, credential reports */ `
  ALTER TABLE users ADD COLUMN permissions_boundary TEXT COLLATE "C";
  CREATE TABLE groups (
    id         TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT COLLATE "C" NOT NULL,
    path       TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE UNIQUE INDEX groups_name_ci ON groups (lower(name));
  CREATE TABLE group_members (
    group_id TEXT COLLATE "C" NOT NULL REFERENCES groups (id),
    user_id  TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
  );
  CREATE INDEX group_members_user ON group_members (user_id);
  CREATE TABLE managed_policies (
    arn             TEXT COLLATE "C" PRIMARY KEY,
    id              TEXT COLLATE "C" NOT NULL UNIQUE,
    name            TEXT COLLATE "C" NOT NULL,
    path            TEXT COLLATE "C" NOT NULL,
    description     TEXT,
    default_version INTEGER NOT NULL,
    next_version    INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
  );
  CREATE UNIQUE INDEX managed_policies_name_ci ON managed_policies (lower(name));
  CREATE INDEX users_permissions_boundary ON users (permissions_boundary);
  CREATE TABLE policy_versions (
    policy_arn TEXT COLLATE "C" NOT NULL REFERENCES managed_policies (arn) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    document   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (policy_arn, version)
  );
  CREATE TABLE inline_policies (
    owner_kind TEXT COLLATE "C" NOT NULL CHECK (owner_kind IN ('user', 'group')),
    owner_id   TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    document   TEXT NOT NULL
  );
  CREATE UNIQUE INDEX inline_policies_name_ci ON inline_policies (owner_kind, owner_id, lower(name));
  -- policy_arn may name an AWS managed policy, which has no row in managed_policies.
  -- seq keeps the order of attachment (SQLite's rowid).
  CREATE TABLE policy_attachments (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY,
    owner_kind TEXT COLLATE "C" NOT NULL CHECK (owner_kind IN ('user', 'group')),
    owner_id   TEXT COLLATE "C" NOT NULL,
    policy_arn TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, policy_arn)
  );
  CREATE INDEX policy_attachments_arn ON policy_attachments (policy_arn);
  CREATE TABLE credential_reports (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    generated_at BIGINT NOT NULL,
    content      BYTEA NOT NULL
  );
  `,
  /* 4: console sessions and sign-in throttling */ `
  CREATE TABLE console_sessions (
    token_hash           TEXT COLLATE "C" PRIMARY KEY,
    user_id              TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at           BIGINT NOT NULL,
    expires_at           BIGINT NOT NULL,
    password_changed_at  BIGINT NOT NULL,
    must_change_password BOOLEAN NOT NULL
  );
  CREATE INDEX console_sessions_user ON console_sessions (user_id);
  CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
  CREATE TABLE sign_in_throttle (
    key           TEXT COLLATE "C" PRIMARY KEY,
    failures      INTEGER NOT NULL,
    blocked_until BIGINT -- NULL: not blocked; -1: blocked until cleared
  );
  `,
];

/** Every version of the schema, in order: PostgreSQL's own first releases, then the shared ones. */
export const MIGRATIONS: readonly string[] = [...OWN_MIGRATIONS, ...SHARED_MIGRATIONS.map((m) => render(m, 'postgres'))];

/** The advisory lock every iamd node takes around migration (and first-start set-up). */
export const MIGRATION_LOCK = 0x69616d64; // 'iamd'

/**
 * Brings the schema up to date. Several nodes may start at once: each takes the same session-level
 * advisory lock first, so one migrates while the others wait and then find nothing left to do.
 */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      const current = rows[0]?.v ?? 0;
      if (current > MIGRATIONS.length) {
        throw new Error(
          `the database schema is version ${current}, newer than this iamd knows (${MIGRATIONS.length}); upgrade iamd`,
        );
      }
      for (let version = current; version < MIGRATIONS.length; version++) {
        await client.query('BEGIN');
        try {
          await client.query(MIGRATIONS[version]!);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version + 1, Date.now()]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
