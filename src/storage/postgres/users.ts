import type pg from 'pg';
import type { Tag, User } from '../../domain/entities.js';
import type { ListPage, UserRepository } from '../../ports/store.js';
import { cutAtNul, hasNul, managedPolicyExists, SQLSTATE, sqlState, transaction, type Queryable } from './db.js';

export interface UserRow {
  id: string;
  name: string;
  path: string;
  created_at: number;
  password_last_used: number | null;
  permissions_boundary: string | null;
  tags: [string, string][];
}

/** A user with its tags (in the order they were first set), read in one statement. */
export const USER_SELECT = (alias: string) => `SELECT ${alias}.*,
  coalesce((SELECT json_agg(json_build_array(t.key, t.value) ORDER BY t.position)
            FROM user_tags t WHERE t.user_id = ${alias}.id), '[]'::json) AS tags`;

export const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  path: row.path,
  createdAt: new Date(row.created_at),
  passwordLastUsed: row.password_last_used === null ? null : new Date(row.password_last_used),
  tags: row.tags.map(([Key, Value]) => ({ Key, Value })),
  permissionsBoundary: row.permissions_boundary,
});

/** Case-insensitive name match (ASCII folding, as SQLite's NOCASE), served by users_name_ci. */
const BY_NAME = 'lower(name) = lower($1::text COLLATE "C")';

const UPSERT_TAG = `INSERT INTO user_tags (user_id, key, value, position) VALUES ($1, $2, $3, $4)
  ON CONFLICT (user_id, lower(key)) DO UPDATE SET key = excluded.key, value = excluded.value`;

class TooManyTags extends Error {}

export class PostgresUsers implements UserRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(user: User, boundaryMustExist = false): Promise<'ok' | 'exists' | 'no-policy'> {
    return transaction(this.pool, async (tx) => {
      if (boundaryMustExist && !(await managedPolicyExists(tx, user.permissionsBoundary))) return 'no-policy' as const;
      const { rowCount } = await tx.query(
        `INSERT INTO users (id, name, path, created_at, password_last_used, permissions_boundary)
         VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT DO NOTHING`,
        [user.id, user.name, user.path, user.createdAt.getTime(), user.permissionsBoundary],
      );
      if (rowCount !== 1) return 'exists' as const;
      for (const [i, t] of user.tags.entries()) await tx.query(UPSERT_TAG, [user.id, t.Key, t.Value, i]);
      return 'ok' as const;
    });
  }

  async getByName(name: string): Promise<User | undefined> {
    if (hasNul(name)) return undefined;
    const { rows } = await this.pool.query<UserRow>(`${USER_SELECT('u')} FROM users u WHERE ${BY_NAME}`, [name]);
    return rows[0] && toUser(rows[0]);
  }

  async getById(id: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>(`${USER_SELECT('u')} FROM users u WHERE id = $1`, [id]);
    return rows[0] && toUser(rows[0]);
  }

  async list(options: { pathPrefix: string; marker?: string; maxItems: number }): Promise<ListPage<User>> {
    if (hasNul(options.pathPrefix)) return { items: [] }; // no path holds one
    // Ordered by name, case-insensitively (the uniqueness rule); the marker is the last name served.
    const { rows } = await this.pool.query<UserRow>(
      `${USER_SELECT('u')} FROM users u
       WHERE starts_with(path, $1::text COLLATE "C") AND lower(name) > lower(coalesce($2::text, '') COLLATE "C")
       ORDER BY lower(name) LIMIT $3`,
      [options.pathPrefix, options.marker === undefined ? null : cutAtNul(options.marker), options.maxItems + 1],
    );
    const items = rows.slice(0, options.maxItems).map(toUser);
    return rows.length > options.maxItems ? { items, nextMarker: items[items.length - 1]!.name } : { items };
  }

  async update(name: string, change: { newName?: string; newPath?: string }): Promise<'missing' | 'name-taken' | 'ok'> {
    try {
      return await transaction(this.pool, async (tx) => {
        const row = await lockUserByName(tx, name);
        if (!row) return 'missing' as const;
        if (change.newName !== undefined) {
          const { rows } = await tx.query<{ id: string }>(`SELECT id FROM users WHERE ${BY_NAME}`, [change.newName]);
          if (rows[0] && rows[0].id !== row.id) return 'name-taken' as const;
        }
        await tx.query('UPDATE users SET name = $1, path = $2 WHERE id = $3', [change.newName ?? row.name, change.newPath ?? row.path, row.id]);
        return 'ok' as const;
      });
    } catch (e) {
      // A rename racing a create (or another rename) to the same name on another node.
      if (sqlState(e) === SQLSTATE.uniqueViolation) return 'name-taken';
      throw e;
    }
  }

  async delete(name: string) {
    return transaction(this.pool, async (tx) => {
      // The row lock makes a concurrent insert that refers to this user (a login profile, a key, a
      // group membership) either finish first, and be seen below, or wait and then fail.
      const row = await lockUserByName(tx, name);
      if (!row) return 'missing' as const;
      // The order in which AWS reports what still hangs off a user.
      const has = async (sql: string) => ((await tx.query(sql, [row.id])).rowCount ?? 0) > 0;
      if (await has('SELECT 1 FROM login_profiles WHERE user_id = $1')) return 'has-login-profile' as const;
      if (await has('SELECT 1 FROM access_keys WHERE user_id = $1')) return 'has-access-keys' as const;
      if (await has("SELECT 1 FROM inline_policies WHERE owner_kind = 'user' AND owner_id = $1")) return 'has-inline-policies' as const;
      if (await has("SELECT 1 FROM policy_attachments WHERE owner_kind = 'user' AND owner_id = $1")) return 'has-attached-policies' as const;
      if (await has('SELECT 1 FROM group_members WHERE user_id = $1')) return 'in-groups' as const;
      await tx.query('DELETE FROM users WHERE id = $1', [row.id]);
      return 'ok' as const;
    });
  }

  async tag(name: string, tags: Tag[], maxTags: number): Promise<'missing' | 'too-many' | 'ok'> {
    try {
      return await transaction(this.pool, async (tx) => {
        const row = await lockUserByName(tx, name);
        if (!row) return 'missing' as const;
        const { rows } = await tx.query<{ n: number | null }>('SELECT max(position) AS n FROM user_tags WHERE user_id = $1', [row.id]);
        let position = (rows[0]?.n ?? -1) + 1;
        for (const t of tags) await tx.query(UPSERT_TAG, [row.id, t.Key, t.Value, position++]);
        const count = await tx.query<{ n: number }>('SELECT count(*) AS n FROM user_tags WHERE user_id = $1', [row.id]);
        if (count.rows[0]!.n > maxTags) throw new TooManyTags();
        return 'ok' as const;
      });
    } catch (e) {
      if (e instanceof TooManyTags) return 'too-many'; // the transaction rolled back
      throw e;
    }
  }

  async untag(name: string, keys: string[]): Promise<'missing' | 'ok'> {
    return transaction(this.pool, async (tx) => {
      const row = await lockUserByName(tx, name);
      if (!row) return 'missing' as const;
      await tx.query(
        `DELETE FROM user_tags WHERE user_id = $1
         AND lower(key) = ANY (SELECT lower(k COLLATE "C") FROM unnest($2::text[]) AS k)`,
        [row.id, keys],
      );
      return 'ok' as const;
    });
  }

  async recordPasswordUse(userId: string, at: Date): Promise<void> {
    await this.pool.query('UPDATE users SET password_last_used = $1 WHERE id = $2', [at.getTime(), userId]);
  }

  async setPermissionsBoundary(name: string, policyArn: string | null, policyMustExist = false): Promise<'ok' | 'no-user' | 'no-policy'> {
    return transaction(this.pool, async (tx) => {
      if (policyMustExist && !(await managedPolicyExists(tx, policyArn))) return 'no-policy' as const;
      const { rowCount } = await tx.query(`UPDATE users SET permissions_boundary = $2 WHERE ${BY_NAME}`, [name, policyArn]);
      return rowCount === 1 ? ('ok' as const) : ('no-user' as const);
    });
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM users');
    return rows[0]!.n;
  }
}

async function lockUserByName(tx: Queryable, name: string): Promise<{ id: string; name: string; path: string } | undefined> {
  const { rows } = await tx.query<{ id: string; name: string; path: string }>(
    `SELECT id, name, path FROM users WHERE ${BY_NAME} FOR UPDATE`,
    [name],
  );
  return rows[0];
}
