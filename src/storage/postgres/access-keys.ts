import type pg from 'pg';
import type { AccessKey, AccessKeyStatus } from '../../domain/entities.js';
import type { AccessKeyRepository } from '../../ports/store.js';
import { hasNul, transaction } from './db.js';

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

/** Serializes quota checks on the root user's keys, which have no user row to lock. */
const ROOT_KEYS_LOCK = 0x69616d65;

export class PostgresAccessKeys implements AccessKeyRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(key: AccessKey, maxPerUser: number): Promise<'ok' | 'quota' | 'no-owner'> {
    return transaction(this.pool, async (tx) => {
      // Lock the owner so that two nodes cannot both count one key below the quota.
      if (key.userId === null) await tx.query('SELECT pg_advisory_xact_lock($1)', [ROOT_KEYS_LOCK]);
      else if ((await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [key.userId])).rowCount === 0) return 'no-owner' as const;
      const { rows } = await tx.query<{ n: number }>(
        'SELECT count(*) AS n FROM access_keys WHERE user_id IS NOT DISTINCT FROM $1',
        [key.userId],
      );
      if (rows[0]!.n >= maxPerUser) return 'quota' as const;
      await tx.query('INSERT INTO access_keys (id, user_id, secret, status, created_at) VALUES ($1, $2, $3, $4, $5)', [
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
    const { rows } = await this.pool.query<AccessKeyRow>('SELECT * FROM access_keys WHERE id = $1', [id]);
    return rows[0] && toKey(rows[0]);
  }

  async listForOwner(userId: string | null): Promise<AccessKey[]> {
    const { rows } = await this.pool.query<AccessKeyRow>(
      'SELECT * FROM access_keys WHERE user_id IS NOT DISTINCT FROM $1 ORDER BY created_at, id',
      [userId],
    );
    return rows.map(toKey);
  }

  async setStatus(id: string, userId: string | null, status: AccessKeyStatus): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE access_keys SET status = $1 WHERE id = $2 AND user_id IS NOT DISTINCT FROM $3',
      [status, id, userId],
    );
    return rowCount === 1;
  }

  async delete(id: string, userId: string | null): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM access_keys WHERE id = $1 AND user_id IS NOT DISTINCT FROM $2', [id, userId]);
    return rowCount === 1;
  }

  async recordUse(id: string, at: Date, region: string, service: string): Promise<void> {
    await this.pool.query(
      'UPDATE access_keys SET last_used_at = $1, last_used_region = $2, last_used_service = $3 WHERE id = $4',
      [at.getTime(), region, service, id],
    );
  }

  async upsertRootKey(id: string, secret: string, createdAt: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO access_keys (id, user_id, secret, status, created_at) VALUES ($1, NULL, $2, 'Active', $3)
       ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, status = 'Active' WHERE access_keys.user_id IS NULL`,
      [id, secret, createdAt.getTime()],
    );
  }

  async listAllSecrets(): Promise<{ id: string; secret: string }[]> {
    const { rows } = await this.pool.query<{ id: string; secret: string }>('SELECT id, secret FROM access_keys ORDER BY id');
    return rows;
  }

  async replaceSecret(id: string, oldSecret: string, newSecret: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE access_keys SET secret = $1 WHERE id = $2 AND secret = $3', [newSecret, id, oldSecret]);
    return rowCount === 1;
  }
}
