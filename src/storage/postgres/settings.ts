import type pg from 'pg';
import type { PasswordPolicy } from '../../domain/password-policy.js';
import type { FailureCounterRepository, PasswordPolicyRepository, SettingsRepository } from '../../ports/store.js';

/** The account password policy, failure counters and installation settings: one statement each. */

interface PasswordPolicyRow {
  minimum_password_length: number;
  require_symbols: boolean;
  require_numbers: boolean;
  require_uppercase_characters: boolean;
  require_lowercase_characters: boolean;
  allow_users_to_change_password: boolean;
  max_password_age: number | null;
  password_reuse_prevention: number | null;
  hard_expiry: boolean | null;
}

export class PostgresPasswordPolicy implements PasswordPolicyRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get(): Promise<PasswordPolicy | undefined> {
    const { rows } = await this.pool.query<PasswordPolicyRow>('SELECT * FROM password_policy WHERE id = 1');
    const row = rows[0];
    if (!row) return undefined;
    const policy: PasswordPolicy = {
      minimumPasswordLength: row.minimum_password_length,
      requireSymbols: row.require_symbols,
      requireNumbers: row.require_numbers,
      requireUppercaseCharacters: row.require_uppercase_characters,
      requireLowercaseCharacters: row.require_lowercase_characters,
      allowUsersToChangePassword: row.allow_users_to_change_password,
    };
    if (row.max_password_age !== null) policy.maxPasswordAge = row.max_password_age;
    if (row.password_reuse_prevention !== null) policy.passwordReusePrevention = row.password_reuse_prevention;
    if (row.hard_expiry !== null) policy.hardExpiry = row.hard_expiry;
    return policy;
  }

  async put(p: PasswordPolicy): Promise<void> {
    await this.pool.query(
      `INSERT INTO password_policy (id, minimum_password_length, require_symbols, require_numbers,
         require_uppercase_characters, require_lowercase_characters, allow_users_to_change_password,
         max_password_age, password_reuse_prevention, hard_expiry)
       VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET
         minimum_password_length = excluded.minimum_password_length,
         require_symbols = excluded.require_symbols,
         require_numbers = excluded.require_numbers,
         require_uppercase_characters = excluded.require_uppercase_characters,
         require_lowercase_characters = excluded.require_lowercase_characters,
         allow_users_to_change_password = excluded.allow_users_to_change_password,
         max_password_age = excluded.max_password_age,
         password_reuse_prevention = excluded.password_reuse_prevention,
         hard_expiry = excluded.hard_expiry`,
      [
        p.minimumPasswordLength,
        p.requireSymbols ?? null,
        p.requireNumbers ?? null,
        p.requireUppercaseCharacters ?? null,
        p.requireLowercaseCharacters ?? null,
        p.allowUsersToChangePassword ?? null,
        p.maxPasswordAge ?? null,
        p.passwordReusePrevention ?? null,
        p.hardExpiry ?? null,
      ],
    );
  }

  async delete(): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM password_policy WHERE id = 1');
    return rowCount === 1;
  }
}

export class PostgresFailureCounters implements FailureCounterRepository {
  constructor(private readonly pool: pg.Pool) {}

  async increment(key: string, now: Date, windowMs: number): Promise<number> {
    // One statement, atomic across nodes: concurrent first attempts meet on the primary key and
    // all but one become updates; a window that has run out starts again at one failure.
    const { rows } = await this.pool.query<{ failures: number }>(
      `INSERT INTO failure_counters AS f (key, failures, window_started_at) VALUES ($1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN $2 - f.window_started_at >= $3 THEN 1 ELSE f.failures + 1 END,
         window_started_at = CASE WHEN $2 - f.window_started_at >= $3 THEN $2 ELSE f.window_started_at END
       RETURNING failures`,
      [key, now.getTime(), windowMs],
    );
    return rows[0]!.failures;
  }

  async reset(key: string): Promise<void> {
    await this.pool.query('DELETE FROM failure_counters WHERE key = $1', [key]);
  }
}

export class PostgresSettings implements SettingsRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
      key,
      value,
    ]);
  }
}
