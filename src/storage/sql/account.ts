import type { PasswordPolicy } from '../../domain/password-policy.js';
import type {
  ConsoleSession,
  ConsoleSessionRepository,
  CredentialReportRepository,
  FailureCounterRepository,
  PasswordPolicyRepository,
  SettingsRepository,
  SignInThrottleRepository,
} from '../../ports/store.js';
import { bool, hasNul, one, run, type Sql } from './sql.js';

/**
 * What belongs to the account or the installation rather than to one resource: the password
 * policy, settings, failure counters, console sessions, the sign-in throttle, credential reports.
 */

interface PasswordPolicyRow {
  minimum_password_length: number;
  require_symbols: number | boolean;
  require_numbers: number | boolean;
  require_uppercase_characters: number | boolean;
  require_lowercase_characters: number | boolean;
  allow_users_to_change_password: number | boolean;
  max_password_age: number | null;
  password_reuse_prevention: number | null;
  hard_expiry: number | boolean | null;
}

/**
 * The account password policy is read on every IAM user's request (AllowUsersToChangePassword is
 * a grant) and written almost never, so it is cached, for as long as the driver's epoch says no
 * process sharing the database has changed it.
 */
export class SqlPasswordPolicy implements PasswordPolicyRepository {
  private cached: { epoch: number; policy: PasswordPolicy | undefined } | undefined;

  constructor(private readonly sql: Sql) {}

  async get(): Promise<PasswordPolicy | undefined> {
    const epoch = this.sql.epoch();
    if (this.cached?.epoch === epoch) return this.cached.policy && { ...this.cached.policy };
    const policy = await this.read();
    this.cached = { epoch, policy };
    return policy && { ...policy };
  }

  private async read(): Promise<PasswordPolicy | undefined> {
    const row = await this.sql.one<PasswordPolicyRow>('SELECT * FROM password_policy WHERE id = 1');
    if (!row) return undefined;
    const policy: PasswordPolicy = {
      minimumPasswordLength: row.minimum_password_length,
      requireSymbols: bool(row.require_symbols),
      requireNumbers: bool(row.require_numbers),
      requireUppercaseCharacters: bool(row.require_uppercase_characters),
      requireLowercaseCharacters: bool(row.require_lowercase_characters),
      allowUsersToChangePassword: bool(row.allow_users_to_change_password),
    };
    if (row.max_password_age !== null) policy.maxPasswordAge = row.max_password_age;
    if (row.password_reuse_prevention !== null) policy.passwordReusePrevention = row.password_reuse_prevention;
    if (row.hard_expiry !== null) policy.hardExpiry = bool(row.hard_expiry);
    return policy;
  }

  async put(p: PasswordPolicy): Promise<void> {
    await this.sql.run(
      `INSERT INTO password_policy (id, minimum_password_length, require_symbols, require_numbers,
         require_uppercase_characters, require_lowercase_characters, allow_users_to_change_password,
         max_password_age, password_reuse_prevention, hard_expiry)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
    await this.sql.announceChange();
  }

  async delete(): Promise<boolean> {
    const deleted = (await this.sql.run('DELETE FROM password_policy WHERE id = 1')) === 1;
    await this.sql.announceChange();
    return deleted;
  }
}

export class SqlFailureCounters implements FailureCounterRepository {
  constructor(private readonly sql: Sql) {}

  async increment(key: string, now: Date, windowMs: number): Promise<number> {
    // One statement, atomic across nodes: concurrent first attempts meet on the primary key and
    // all but one become updates; a window that has run out starts again at one failure.
    const t = now.getTime();
    const row = await this.sql.one<{ failures: number }>(
      `INSERT INTO failure_counters AS f (key, failures, window_started_at) VALUES (?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN ? - f.window_started_at >= ? THEN 1 ELSE f.failures + 1 END,
         window_started_at = CASE WHEN ? - f.window_started_at >= ? THEN ? ELSE f.window_started_at END
       RETURNING failures`,
      [key, t, t, windowMs, t, windowMs, t],
    );
    return row!.failures;
  }

  async reset(key: string): Promise<void> {
    await this.sql.run('DELETE FROM failure_counters WHERE key = ?', [key]);
  }
}

export class SqlSettings implements SettingsRepository {
  constructor(private readonly sql: Sql) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.sql.one<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.sql.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async delete(key: string, expected?: string): Promise<boolean> {
    if (expected === undefined) return (await this.sql.run('DELETE FROM settings WHERE key = ?', [key])) === 1;
    if (hasNul(expected)) return false;
    return (await this.sql.run('DELETE FROM settings WHERE key = ? AND value = ?', [key, expected])) === 1;
  }

  async replace(key: string, expected: string | undefined, value: string): Promise<boolean> {
    if (expected === undefined) return (await this.sql.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value])) === 1;
    if (hasNul(expected)) return false;
    return (await this.sql.run('UPDATE settings SET value = ? WHERE key = ? AND value = ?', [value, key, expected])) === 1;
  }
}

interface SessionRow {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  password_changed_at: number;
  must_change_password: number | boolean;
  awaiting_mfa: number | boolean;
  mfa_authenticated_at: number | null;
}

export class SqlConsoleSessions implements ConsoleSessionRepository {
  constructor(private readonly sql: Sql) {}

  async create(s: ConsoleSession): Promise<void> {
    await this.sql.run(
      `INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at, password_changed_at, must_change_password, awaiting_mfa, mfa_authenticated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        s.tokenHash,
        s.userId,
        s.createdAt.getTime(),
        s.expiresAt.getTime(),
        s.passwordChangedAt.getTime(),
        s.mustChangePassword,
        s.awaitingMfa,
        s.mfaAuthenticatedAt?.getTime() ?? null,
      ],
    );
  }

  async get(tokenHash: string): Promise<ConsoleSession | undefined> {
    if (hasNul(tokenHash)) return undefined;
    const r = await this.sql.one<SessionRow>('SELECT * FROM console_sessions WHERE token_hash = ?', [tokenHash]);
    return (
      r && {
        tokenHash: r.token_hash,
        userId: r.user_id,
        createdAt: new Date(r.created_at),
        expiresAt: new Date(r.expires_at),
        passwordChangedAt: new Date(r.password_changed_at),
        mustChangePassword: bool(r.must_change_password),
        awaitingMfa: bool(r.awaiting_mfa),
        mfaAuthenticatedAt: r.mfa_authenticated_at === null ? null : new Date(Number(r.mfa_authenticated_at)),
      }
    );
  }

  async delete(tokenHash: string): Promise<void> {
    if (hasNul(tokenHash)) return;
    await this.sql.run('DELETE FROM console_sessions WHERE token_hash = ?', [tokenHash]);
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.sql.run('DELETE FROM console_sessions WHERE expires_at <= ?', [now.getTime()]);
  }
}

/** blocked_until: NULL not blocked, a time, or this: blocked until cleared. */
const LOCKED = -1;

export class SqlSignInThrottle implements SignInThrottleRepository {
  constructor(private readonly sql: Sql) {}

  async book(key: string, now: Date, delayAfter: (failures: number) => number | null) {
    return this.sql.transaction(function* () {
      // Make sure the row exists, then lock it: attempts on every node book one after another.
      yield* run('INSERT INTO sign_in_throttle (key, failures, blocked_until) VALUES (?, 0, NULL) ON CONFLICT (key) DO NOTHING', [key]);
      const row = (yield* one<{ failures: number; blocked_until: number | null }>(
        'SELECT failures, blocked_until FROM sign_in_throttle WHERE key = ? FOR UPDATE',
        [key],
      ))!;
      if (row.blocked_until === LOCKED) return { allowed: false as const, retryAt: null };
      if (row.blocked_until !== null && now.getTime() < row.blocked_until) {
        return { allowed: false as const, retryAt: new Date(row.blocked_until) };
      }
      const failures = row.failures + 1;
      const delay = delayAfter(failures);
      const blockedUntil = delay === null ? LOCKED : delay > 0 ? now.getTime() + delay : null;
      yield* run('UPDATE sign_in_throttle SET failures = ?, blocked_until = ? WHERE key = ?', [failures, blockedUntil, key]);
      return { allowed: true as const };
    });
  }

  async clear(key: string): Promise<void> {
    await this.sql.run('DELETE FROM sign_in_throttle WHERE key = ?', [key]);
  }

  async release(key: string): Promise<void> {
    await this.sql.run('UPDATE sign_in_throttle SET failures = failures - 1 WHERE key = ? AND failures > 0', [key]);
  }
}

export class SqlCredentialReports implements CredentialReportRepository {
  constructor(private readonly sql: Sql) {}

  async get() {
    const row = await this.sql.one<{ generated_at: number; content: Buffer }>('SELECT generated_at, content FROM credential_reports WHERE id = 1');
    return row && { generatedAt: new Date(row.generated_at), content: row.content };
  }

  async put(generatedAt: Date, content: Buffer): Promise<void> {
    await this.sql.run(
      `INSERT INTO credential_reports (id, generated_at, content) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET generated_at = excluded.generated_at, content = excluded.content`,
      [generatedAt.getTime(), content],
    );
  }
}
