import type { AccessKey, AccessKeyStatus, LoginProfile } from '../../domain/entities.js';
import type { AccessKeyRepository, LoginProfileRepository, PasswordWrite } from '../../ports/store.js';
import { bool, hasNul, lock, one, run, type Sql, type Work } from './sql.js';

/** Access keys, login profiles and password history. */

interface AccessKeyRow {
  id: string;
  user_id: string | null;
  secret: string;
  status: AccessKeyStatus;
  created_at: number;
  last_used_at: number | null;
  last_used_region: string | null;
  last_used_service: string | null;
}

const toKey = (row: AccessKeyRow): AccessKey => ({
  id: row.id,
  userId: row.user_id,
  secret: row.secret,
  status: row.status,
  createdAt: new Date(row.created_at),
  lastUsed:
    row.last_used_at === null
      ? null
      : { at: new Date(row.last_used_at), region: row.last_used_region ?? 'N/A', service: row.last_used_service ?? 'N/A' },
});

/**
 * `user_id IS ?` in both databases (the parameter twice): the root user's keys and certificates
 * have no user.
 */
export const OWNER = '(user_id = ? OR (user_id IS NULL AND CAST(? AS TEXT) IS NULL))';

/** Within a transaction: the user's row, locked so that two nodes cannot both count below a quota. */
export function* lockUser(userId: string): Work<boolean> {
  return (yield* one('SELECT 1 FROM users WHERE id = ? FOR UPDATE', [userId])) !== undefined;
}

export class SqlAccessKeys implements AccessKeyRepository {
  constructor(private readonly sql: Sql) {}

  async create(key: AccessKey, maxPerUser: number): Promise<'ok' | 'quota' | 'no-owner'> {
    return this.sql.transaction(function* () {
      // Lock the owner so that two nodes cannot both count one key below the quota; the root
      // user has no row to lock, so its keys are serialized by name.
      if (key.userId === null) yield* lock('root-access-keys');
      else if (!(yield* lockUser(key.userId))) return 'no-owner' as const;
      const count = yield* one<{ n: number }>(`SELECT count(*) AS n FROM access_keys WHERE ${OWNER}`, [key.userId, key.userId]);
      if (count!.n >= maxPerUser) return 'quota' as const;
      yield* run('INSERT INTO access_keys (id, user_id, secret, status, created_at) VALUES (?, ?, ?, ?, ?)', [
        key.id,
        key.userId,
        key.secret,
        key.status,
        key.createdAt.getTime(),
      ]);
      return 'ok' as const;
    });
  }

  async get(id: string): Promise<AccessKey | undefined> {
    if (hasNul(id)) return undefined;
    const row = await this.sql.one<AccessKeyRow>('SELECT * FROM access_keys WHERE id = ?', [id]);
    return row && toKey(row);
  }

  async listForOwner(userId: string | null): Promise<AccessKey[]> {
    const rows = await this.sql.all<AccessKeyRow>(`SELECT * FROM access_keys WHERE ${OWNER} ORDER BY created_at, id`, [userId, userId]);
    return rows.map(toKey);
  }

  async setStatus(id: string, userId: string | null, status: AccessKeyStatus): Promise<boolean> {
    if (hasNul(id)) return false;
    return (await this.sql.run(`UPDATE access_keys SET status = ? WHERE id = ? AND ${OWNER}`, [status, id, userId, userId])) === 1;
  }

  async delete(id: string, userId: string | null): Promise<boolean> {
    if (hasNul(id)) return false;
    return (await this.sql.run(`DELETE FROM access_keys WHERE id = ? AND ${OWNER}`, [id, userId, userId])) === 1;
  }

  async recordUse(id: string, at: Date, region: string, service: string): Promise<void> {
    await this.sql.run('UPDATE access_keys SET last_used_at = ?, last_used_region = ?, last_used_service = ? WHERE id = ?', [
      at.getTime(),
      region,
      service,
      id,
    ]);
  }

  async upsertRootKey(id: string, secret: string, createdAt: Date): Promise<void> {
    await this.sql.run(
      `INSERT INTO access_keys (id, user_id, secret, status, created_at) VALUES (?, NULL, ?, 'Active', ?)
       ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, status = 'Active' WHERE access_keys.user_id IS NULL`,
      [id, secret, createdAt.getTime()],
    );
  }

  async listAllSecrets(): Promise<{ id: string; secret: string }[]> {
    return this.sql.all<{ id: string; secret: string }>('SELECT id, secret FROM access_keys ORDER BY id');
  }

  async replaceSecret(id: string, oldSecret: string, newSecret: string): Promise<boolean> {
    return (await this.sql.run('UPDATE access_keys SET secret = ? WHERE id = ? AND secret = ?', [newSecret, id, oldSecret])) === 1;
  }
}

interface LoginProfileRow {
  user_id: string;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
  password_reset_required: number | boolean;
}

const toProfile = (row: LoginProfileRow): LoginProfile => ({
  userId: row.user_id,
  passwordHash: row.password_hash,
  createdAt: new Date(row.created_at),
  passwordChangedAt: new Date(row.password_changed_at),
  passwordResetRequired: bool(row.password_reset_required),
});

/** Within a transaction: the new password in the history, trimmed to the limit. */
function* recordHistory(userId: string, password: PasswordWrite): Work<void> {
  yield* run('INSERT INTO password_history (user_id, password_hash, set_at) VALUES (?, ?, ?)', [
    userId,
    password.passwordHash,
    password.passwordChangedAt.getTime(),
  ]);
  yield* run(
    `DELETE FROM password_history WHERE user_id = ? AND seq NOT IN
       (SELECT seq FROM password_history WHERE user_id = ? ORDER BY seq DESC LIMIT ?)`,
    [userId, userId, password.historyLimit],
  );
}

export class SqlLoginProfiles implements LoginProfileRepository {
  constructor(private readonly sql: Sql) {}

  async get(userId: string): Promise<LoginProfile | undefined> {
    const row = await this.sql.one<LoginProfileRow>('SELECT * FROM login_profiles WHERE user_id = ?', [userId]);
    return row && toProfile(row);
  }

  async create(p: LoginProfile, historyLimit: number): Promise<boolean> {
    return this.sql.transaction(function* () {
      // The user's row is share-locked: a racing DeleteUser either sees the profile or wins.
      if (!(yield* one('SELECT 1 FROM users WHERE id = ? FOR SHARE', [p.userId]))) return false;
      const inserted = yield* run(
        `INSERT INTO login_profiles (user_id, password_hash, created_at, password_changed_at, password_reset_required)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [p.userId, p.passwordHash, p.createdAt.getTime(), p.passwordChangedAt.getTime(), p.passwordResetRequired],
      );
      if (inserted !== 1) return false;
      yield* recordHistory(p.userId, { passwordHash: p.passwordHash, passwordChangedAt: p.passwordChangedAt, historyLimit });
      return true;
    });
  }

  async update(
    userId: string,
    change: { password?: PasswordWrite; passwordResetRequired?: boolean; expectedHash?: string },
  ): Promise<'ok' | 'missing' | 'stale'> {
    if (change.password === undefined && change.expectedHash === undefined) {
      // The reset flag alone: one statement, atomic by itself, and it never writes back a hash.
      if (change.passwordResetRequired === undefined) return (await this.get(userId)) ? 'ok' : 'missing';
      const changed = await this.sql.run('UPDATE login_profiles SET password_reset_required = ? WHERE user_id = ?', [
        change.passwordResetRequired,
        userId,
      ]);
      return changed === 1 ? 'ok' : 'missing';
    }
    return this.sql.transaction(function* () {
      // The row lock orders concurrent changes of one profile across nodes: each reads the hash
      // the previous one committed, so compare-and-set and the history stay exact.
      const current = yield* one<LoginProfileRow>('SELECT * FROM login_profiles WHERE user_id = ? FOR UPDATE', [userId]);
      if (!current) return 'missing' as const;
      if (change.expectedHash !== undefined && current.password_hash !== change.expectedHash) return 'stale' as const;
      yield* run('UPDATE login_profiles SET password_hash = ?, password_changed_at = ?, password_reset_required = ? WHERE user_id = ?', [
        change.password?.passwordHash ?? current.password_hash,
        change.password?.passwordChangedAt.getTime() ?? current.password_changed_at,
        change.passwordResetRequired ?? bool(current.password_reset_required),
        userId,
      ]);
      if (change.password) yield* recordHistory(userId, change.password);
      return 'ok' as const;
    });
  }

  async rehash(userId: string, expectedHash: string, newHash: string): Promise<boolean> {
    return this.sql.transaction(function* () {
      const changed = yield* run('UPDATE login_profiles SET password_hash = ? WHERE user_id = ? AND password_hash = ?', [newHash, userId, expectedHash]);
      if (changed !== 1) return false;
      yield* run('UPDATE password_history SET password_hash = ? WHERE user_id = ? AND password_hash = ?', [newHash, userId, expectedHash]);
      return true;
    });
  }

  async delete(userId: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM login_profiles WHERE user_id = ?', [userId])) === 1;
  }

  async passwordHistory(userId: string, limit: number): Promise<string[]> {
    const rows = await this.sql.all<{ password_hash: string }>(
      'SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY seq DESC LIMIT ?',
      [userId, limit],
    );
    return rows.map((r) => r.password_hash);
  }
}
