import type pg from 'pg';
import type { ConsoleSession, ConsoleSessionRepository, SignInThrottleRepository } from '../../ports/store.js';
import { hasNul, transaction } from './db.js';

/** Console sessions and the sign-in throttle. */

interface SessionRow {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  password_changed_at: number;
  must_change_password: boolean;
}

export class PostgresConsoleSessions implements ConsoleSessionRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(s: ConsoleSession): Promise<void> {
    await this.pool.query(
      `INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at, password_changed_at, must_change_password)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [s.tokenHash, s.userId, s.createdAt.getTime(), s.expiresAt.getTime(), s.passwordChangedAt.getTime(), s.mustChangePassword],
    );
  }

  async get(tokenHash: string): Promise<ConsoleSession | undefined> {
    if (hasNul(tokenHash)) return undefined;
    const { rows } = await this.pool.query<SessionRow>('SELECT * FROM console_sessions WHERE token_hash = $1', [tokenHash]);
    const r = rows[0];
    return (
      r && {
        tokenHash: r.token_hash,
        userId: r.user_id,
        createdAt: new Date(r.created_at),
        expiresAt: new Date(r.expires_at),
        passwordChangedAt: new Date(r.password_changed_at),
        mustChangePassword: r.must_change_password,
      }
    );
  }

  async delete(tokenHash: string): Promise<void> {
    if (hasNul(tokenHash)) return;
    await this.pool.query('DELETE FROM console_sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.pool.query('DELETE FROM console_sessions WHERE expires_at <= $1', [now.getTime()]);
  }
}

const LOCKED = -1;

export class PostgresSignInThrottle implements SignInThrottleRepository {
  constructor(private readonly pool: pg.Pool) {}

  async book(key: string, now: Date, delayAfter: (failures: number) => number | null) {
    return transaction(this.pool, async (tx): Promise<{ allowed: true } | { allowed: false; retryAt: Date | null }> => {
      // Make sure the row exists, then lock it: attempts on every node book one after another.
      await tx.query('INSERT INTO sign_in_throttle (key, failures, blocked_until) VALUES ($1, 0, NULL) ON CONFLICT (key) DO NOTHING', [key]);
      const { rows } = await tx.query<{ failures: number; blocked_until: number | null }>(
        'SELECT failures, blocked_until FROM sign_in_throttle WHERE key = $1 FOR UPDATE',
        [key],
      );
      const row = rows[0]!;
      if (row.blocked_until === LOCKED) return { allowed: false, retryAt: null };
      if (row.blocked_until !== null && now.getTime() < row.blocked_until) return { allowed: false, retryAt: new Date(row.blocked_until) };
      const failures = row.failures + 1;
      const delay = delayAfter(failures);
      const blockedUntil = delay === null ? LOCKED : delay > 0 ? now.getTime() + delay : null;
      await tx.query('UPDATE sign_in_throttle SET failures = $2, blocked_until = $3 WHERE key = $1', [key, failures, blockedUntil]);
      return { allowed: true };
    });
  }

  async clear(key: string): Promise<void> {
    await this.pool.query('DELETE FROM sign_in_throttle WHERE key = $1', [key]);
  }

  async release(key: string): Promise<void> {
    await this.pool.query('UPDATE sign_in_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0', [key]);
  }
}
