import type { Tag } from '../../domain/entities.js';
import { all, fold, one, Rollback, run, type Sql, type Work } from './sql.js';

/**
 * Tags of every taggable resource, in one table keyed by the resource's id. Keys are unique
 * regardless of case (a new spelling of a key replaces the old one, keeping its place); tags are
 * listed in the order they were first set.
 */
export class Tags {
  constructor(private readonly sql: Sql) {}

  async of(ownerId: string): Promise<Tag[]> {
    const rows = await this.sql.all<{ key: string; value: string }>('SELECT key, value FROM tags WHERE owner_id = ? ORDER BY position', [ownerId]);
    return rows.map(toTag);
  }

  /** The tags of many resources in one query. */
  async ofMany(ownerIds: readonly string[]): Promise<Map<string, Tag[]>> {
    const byOwner = new Map<string, Tag[]>();
    if (ownerIds.length === 0) return byOwner;
    const rows = await this.sql.all<{ owner_id: string; key: string; value: string }>(
      'SELECT owner_id, key, value FROM tags WHERE owner_id = ANY(?) ORDER BY position',
      [ownerIds],
    );
    for (const r of rows) {
      const list = byOwner.get(r.owner_id);
      if (list) list.push(toTag(r));
      else byOwner.set(r.owner_id, [toTag(r)]);
    }
    return byOwner;
  }
}

const toTag = (r: { key: string; value: string }): Tag => ({ Key: r.key, Value: r.value });

/**
 * How tag keys compare: regardless of case for users, roles and instance profiles, exactly for
 * managed policies (recorded from AWS: a policy may have both "a" and "A").
 */
export type KeyRule = 'fold' | 'exact';
const keyOf = (key: string, rule: KeyRule) => (rule === 'fold' ? fold(key) : key);

/** Within a transaction: upserts, and undoes everything when the result would exceed `maxTags`. */
export function* upsertTags(ownerId: string, tags: readonly Tag[], maxTags: number, rule: KeyRule = 'fold'): Work<'ok'> {
  const last = yield* one<{ n: number | null }>('SELECT max(position) AS n FROM tags WHERE owner_id = ?', [ownerId]);
  let position = (last?.n ?? -1) + 1;
  for (const t of tags) {
    yield* run(
      `INSERT INTO tags (owner_id, key, key_fold, value, position) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (owner_id, key_fold) DO UPDATE SET key = excluded.key, value = excluded.value`,
      [ownerId, t.Key, keyOf(t.Key, rule), t.Value, position++],
    );
  }
  const count = yield* one<{ n: number }>('SELECT count(*) AS n FROM tags WHERE owner_id = ?', [ownerId]);
  if (count!.n > maxTags) throw new Rollback('too-many' as const);
  return 'ok';
}

export function* removeTags(ownerId: string, keys: readonly string[], rule: KeyRule = 'fold'): Work<void> {
  yield* run('DELETE FROM tags WHERE owner_id = ? AND key_fold = ANY(?)', [ownerId, keys.map((k) => keyOf(k, rule))]);
}

export function* removeAllTags(ownerId: string): Work<void> {
  yield* run('DELETE FROM tags WHERE owner_id = ?', [ownerId]);
}

/** The tags of one resource, read inside a transaction. */
export function* tagsOf(ownerId: string): Work<Tag[]> {
  return (yield* all<{ key: string; value: string }>('SELECT key, value FROM tags WHERE owner_id = ? ORDER BY position', [ownerId])).map(toTag);
}
