import type { ConsoleSession, ConsoleSessionRepository, SignInThrottleRepository } from '../../ports/store.js';
import type { Db } from './sqlite-store.js';

interface SessionRow {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  password_changed_at: number;
  must_change_password: number;
}

export class SqliteConsoleSessions implements ConsoleSessionRepository {
  constructor(private readonly db: Db) {}

  async create(s: ConsoleSession): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at, password_changed_at, must_change_password)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(s.tokenHash, s.userId, s.createdAt.getTime(), s.expiresAt.getTime(), s.passwordChangedAt.getTime(), s.mustChangePassword ? 1 : 0);
  }

  async get(tokenHash: string): Promise<ConsoleSession | undefined> {
    const r = this.db.prepare<[string], SessionRow>('SELECT * FROM console_sessions WHERE token_hash = ?').get(tokenHash);
    return (
      r && {
        tokenHash: r.token_hash,
        userId: r.user_id,
        createdAt: new Date(r.created_at),
        expiresAt: new Date(r.expires_at),
        passwordChangedAt: new Date(r.password_changed_at),
        mustChangePassword: r.must_change_password === 1,
      }
    );
  }

  async delete(tokenHash: string): Promise<void> {
    this.db.prepare('DELETE FROM console_sessions WHERE token_hash = ?').run(tokenHash);
  }

  async deleteExpired(now: Date): Promise<void> {
    this.db.prepare('DELETE FROM console_sessions WHERE expires_at <= ?').run(now.getTime());
  }
}

const LOCKED = -1;

export class SqliteSignInThrottle implements SignInThrottleRepository {
  constructor(private readonly db: Db) {}

  async book(key: string, now: Date, delayAfter: (failures: number) => number | null) {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare<[string], { failures: number; blocked_until: number | null }>('SELECT failures, blocked_until FROM sign_in_throttle WHERE key = ?')
          .get(key);
        if (row?.blocked_until === LOCKED) return { allowed: false as const, retryAt: null };
        if (row?.blocked_until != null && now.getTime() < row.blocked_until) return { allowed: false as const, retryAt: new Date(row.blocked_until) };
        const failures = (row?.failures ?? 0) + 1;
        const delay = delayAfter(failures);
        const blockedUntil = delay === null ? LOCKED : delay > 0 ? now.getTime() + delay : null;
        this.db
          .prepare(
            `INSERT INTO sign_in_throttle (key, failures, blocked_until) VALUES (?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, blocked_until = excluded.blocked_until`,
          )
          .run(key, failures, blockedUntil);
        return { allowed: true as const };
      })
      .immediate();
  }

  async clear(key: string): Promise<void> {
    this.db.prepare('DELETE FROM sign_in_throttle WHERE key = ?').run(key);
  }

  async release(key: string): Promise<void> {
    this.db.prepare('UPDATE sign_in_throttle SET failures = failures - 1 WHERE key = ? AND failures > 0').run(key);
  }
}
