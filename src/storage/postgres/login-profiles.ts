import type pg from 'pg';
import type { LoginProfile } from '../../domain/entities.js';
import type { LoginProfileRepository, PasswordWrite } from '../../ports/store.js';
import { SQLSTATE, sqlState, transaction, type Queryable } from './db.js';

interface LoginProfileRow {
  user_id: string;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
  password_reset_required: boolean;
}

/** Records a password in the history and trims it to the newest `historyLimit`, in the caller's transaction. */
async function recordHistory(tx: Queryable, userId: string, password: PasswordWrite): Promise<void> {
  await tx.query('INSERT INTO password_history (user_id, password_hash, set_at) VALUES ($1, $2, $3)', [
    userId,
    password.passwordHash,
    password.passwordChangedAt.getTime(),
  ]);
  await tx.query(
    `DELETE FROM password_history WHERE user_id = $1 AND seq NOT IN
       (SELECT seq FROM password_history WHERE user_id = $1 ORDER BY seq DESC LIMIT $2)`,
    [userId, password.historyLimit],
  );
}

export class PostgresLoginProfiles implements LoginProfileRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get(userId: string): Promise<LoginProfile | undefined> {
    const { rows } = await this.pool.query<LoginProfileRow>('SELECT * FROM login_profiles WHERE user_id = $1', [userId]);
    const row = rows[0];
    return (
      row && {
        userId: row.user_id,
        passwordHash: row.password_hash,
        createdAt: new Date(row.created_at),
        passwordChangedAt: new Date(row.password_changed_at),
        passwordResetRequired: row.password_reset_required,
      }
    );
  }

  async create(p: LoginProfile, historyLimit: number): Promise<boolean> {
    try {
      return await transaction(this.pool, async (tx) => {
        // Share-lock the user: a DeleteUser on another node either sees this profile or has
        // already removed the user (then there is nothing to lock, and nothing is created).
        const user = await tx.query('SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE', [p.userId]);
        if (user.rowCount !== 1) return false;
        const { rowCount } = await tx.query(
          `INSERT INTO login_profiles (user_id, password_hash, created_at, password_changed_at, password_reset_required)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [p.userId, p.passwordHash, p.createdAt.getTime(), p.passwordChangedAt.getTime(), p.passwordResetRequired],
        );
        if (rowCount !== 1) return false;
        await recordHistory(tx, p.userId, { passwordHash: p.passwordHash, passwordChangedAt: p.passwordChangedAt, historyLimit });
        return true;
      });
    } catch (e) {
      if (sqlState(e) === SQLSTATE.foreignKeyViolation) return false; // the user went away meanwhile
      throw e;
    }
  }

  async update(
    userId: string,
    change: { password?: PasswordWrite; passwordResetRequired?: boolean; expectedHash?: string },
  ): Promise<'ok' | 'missing' | 'stale'> {
    if (change.password === undefined && change.expectedHash === undefined) {
      // The reset flag alone: one statement, atomic by itself, and it never writes back a hash.
      if (change.passwordResetRequired === undefined) {
        const { rowCount } = await this.pool.query('SELECT 1 FROM login_profiles WHERE user_id = $1', [userId]);
        return rowCount === 1 ? 'ok' : 'missing';
      }
      const { rowCount } = await this.pool.query('UPDATE login_profiles SET password_reset_required = $2 WHERE user_id = $1', [
        userId,
        change.passwordResetRequired,
      ]);
      return rowCount === 1 ? 'ok' : 'missing';
    }
    return transaction(this.pool, async (tx) => {
      // The row lock orders concurrent changes of one profile across nodes: each reads the hash
      // the previous one committed, so compare-and-set and the history stay exact.
      const { rows } = await tx.query<LoginProfileRow>('SELECT * FROM login_profiles WHERE user_id = $1 FOR UPDATE', [userId]);
      const current = rows[0];
      if (!current) return 'missing' as const;
      if (change.expectedHash !== undefined && current.password_hash !== change.expectedHash) return 'stale' as const;
      await tx.query(
        'UPDATE login_profiles SET password_hash = $1, password_changed_at = $2, password_reset_required = $3 WHERE user_id = $4',
        [
          change.password?.passwordHash ?? current.password_hash,
          change.password?.passwordChangedAt.getTime() ?? current.password_changed_at,
          change.passwordResetRequired ?? current.password_reset_required,
          userId,
        ],
      );
      if (change.password) await recordHistory(tx, userId, change.password);
      return 'ok' as const;
    });
  }

  async delete(userId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM login_profiles WHERE user_id = $1', [userId]);
    return rowCount === 1;
  }

  async passwordHistory(userId: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ password_hash: string }>(
      'SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY seq DESC LIMIT $2',
      [userId, limit],
    );
    return rows.map((r) => r.password_hash);
  }
}
