import type { Tag } from '../../domain/entities.js';
import type { ListOptions, ListPage, NamedRepository } from '../../ports/store.js';
import { cutAtNul, fold, hasNul, lock, one, prefixOf, prefixParams, run, type Sql, UniqueViolation, type Work } from './sql.js';
import { removeAllTags, removeTags, Tags, upsertTags } from './tags.js';

/** The columns every named resource's table has. */
export interface NamedRow {
  id: string;
  name: string;
  name_key: string;
  path: string;
  created_at: number;
}

/**
 * A table entry: what the shared code needs to know of one kind of named resource. Adding a kind
 * of IAM resource costs one of these, its row mapping and its own operations, nothing more.
 */
export interface NamedTable<Blocker extends string> {
  /** The SQL table (a fixed name, never input). */
  table: string;
  /** Whether it has tags (in the tags table, by id). */
  taggable: boolean;
  /**
   * What blocks a deletion, in AWS's order of checks: each a query that finds a row while the
   * blocker remains, with the resource's id as its one parameter.
   */
  blockers: readonly (readonly [Blocker, string])[];
  /** Rows that go with the resource when it is deleted (besides tags), each `?` = its id. */
  cascade?: readonly string[];
}

/**
 * The shared half of every named resource's repository: found by name regardless of case and by
 * id, listed by name with a plain path prefix, renamed and moved, tagged, counted, and deleted only
 * when nothing still hangs off it. A resource's own repository extends it with what is its own.
 */
export abstract class NamedEntities<Row extends NamedRow, E, Blocker extends string> implements NamedRepository<E, Blocker> {
  protected readonly tags: Tags;
  /** The lookups nearly every request makes, their text made once (a text built per call is hashed per call by every map of statements). */
  private readonly byName: string;
  private readonly byId: string;

  constructor(
    protected readonly sql: Sql,
    protected readonly t: NamedTable<Blocker>,
  ) {
    this.tags = new Tags(sql);
    this.byName = `SELECT * FROM ${t.table} WHERE name_key = ?`;
    this.byId = `SELECT * FROM ${t.table} WHERE id = ?`;
  }

  /** The domain's entity from its row, given its tags (empty for untaggable kinds). */
  protected abstract toEntity(row: Row, tags: Tag[]): E;

  /** Entities with their tags: one query for the tags of the whole list, not one per row. */
  protected async entities(rows: Row[]): Promise<E[]> {
    if (!this.t.taggable || rows.length === 0) return rows.map((r) => this.toEntity(r, []));
    const tags = await this.tags.ofMany(rows.map((r) => r.id));
    return rows.map((r) => this.toEntity(r, tags.get(r.id) ?? []));
  }

  protected async entity(row: Row | undefined): Promise<E | undefined> {
    if (!row) return undefined;
    return this.toEntity(row, this.t.taggable ? await this.tags.of(row.id) : []);
  }

  async getByName(name: string): Promise<E | undefined> {
    return this.entity(await this.rowByName(name));
  }

  async rowByName(name: string): Promise<Row | undefined> {
    if (hasNul(name)) return undefined;
    return this.sql.one<Row>(this.byName, [fold(name)]);
  }

  async getById(id: string): Promise<E | undefined> {
    if (hasNul(id)) return undefined;
    return this.entity(await this.sql.one<Row>(this.byId, [id]));
  }

  async list(options: ListOptions): Promise<ListPage<E>> {
    if (hasNul(options.pathPrefix)) return { items: [] }; // no path holds one
    // Ordered by folded name (the uniqueness rule); the marker is the last name served.
    const rows = await this.sql.all<Row>(
      `SELECT * FROM ${this.t.table} WHERE ${prefixOf('path')} AND name_key > ? ORDER BY name_key LIMIT ?`,
      [...prefixParams(options.pathPrefix), fold(cutAtNul(options.marker ?? '')), options.maxItems + 1],
    );
    const items = await this.entities(rows.slice(0, options.maxItems));
    return rows.length > options.maxItems ? { items, nextMarker: rows[options.maxItems - 1]!.name } : { items };
  }

  /**
   * Within a transaction: the row by name, locked against concurrent changes and deletion until
   * the transaction ends (PostgreSQL; SQLite serializes writers anyway).
   */
  *locked(name: string, mode: 'UPDATE' | 'SHARE' = 'UPDATE'): Work<Row | undefined> {
    if (hasNul(name)) return undefined;
    return yield* one<Row>(`SELECT * FROM ${this.t.table} WHERE name_key = ? FOR ${mode}`, [fold(name)]);
  }

  /** Within a transaction: whether the row with this id exists, locked against deletion. */
  *existsById(id: string): Work<boolean> {
    return (yield* one(`SELECT 1 FROM ${this.t.table} WHERE id = ? FOR SHARE`, [id])) !== undefined;
  }

  async update(name: string, change: { newName?: string; newPath?: string }): Promise<'missing' | 'name-taken' | 'ok'> {
    const t = this.t.table;
    const self = this;
    try {
      return await this.sql.transaction(function* () {
        const row = yield* self.locked(name);
        if (!row) return 'missing' as const;
        const newName = change.newName ?? row.name;
        if (change.newName !== undefined) {
          const other = yield* one<{ id: string }>(`SELECT id FROM ${t} WHERE name_key = ?`, [fold(newName)]);
          if (other && other.id !== row.id) return 'name-taken' as const;
        }
        yield* run(`UPDATE ${t} SET name = ?, name_key = ?, path = ? WHERE id = ?`, [newName, fold(newName), change.newPath ?? row.path, row.id]);
        return 'ok' as const;
      });
    } catch (e) {
      // A rename racing a create (or another rename) to the same name on another node.
      if (e instanceof UniqueViolation) return 'name-taken';
      throw e;
    }
  }

  async delete(name: string): Promise<'missing' | Blocker | 'ok'> {
    const self = this;
    return this.sql.transaction(function* () {
      // The row lock makes a concurrent insert that refers to this resource (a membership, an
      // attachment) either finish first, and be seen below, or wait and then find it gone.
      const row = yield* self.locked(name);
      if (!row) return 'missing' as const;
      for (const [blocker, query] of self.t.blockers) {
        if ((yield* one(query, [row.id])) !== undefined) return blocker;
      }
      for (const statement of self.t.cascade ?? []) yield* run(statement, [row.id]);
      if (self.t.taggable) yield* removeAllTags(row.id);
      yield* run(`DELETE FROM ${self.t.table} WHERE id = ?`, [row.id]);
      return 'ok' as const;
    });
  }

  async tag(name: string, tags: Tag[], maxTags: number): Promise<'missing' | 'too-many' | 'ok'> {
    const self = this;
    return this.sql.transaction<'missing' | 'too-many' | 'ok'>(function* () {
      const row = yield* self.locked(name);
      if (!row) return 'missing';
      return yield* upsertTags(row.id, tags, maxTags);
    });
  }

  async untag(name: string, keys: string[]): Promise<'missing' | 'ok'> {
    const self = this;
    return this.sql.transaction(function* () {
      const row = yield* self.locked(name);
      if (!row) return 'missing' as const;
      yield* removeTags(row.id, keys);
      return 'ok' as const;
    });
  }

  async count(): Promise<number> {
    return (await this.sql.one<{ n: number }>(`SELECT count(*) AS n FROM ${this.t.table}`))!.n;
  }
}

/**
 * Within a transaction, before inserting `name` into `table`: whether an account-wide quota of
 * `maxCount` (undefined: none) leaves room for it. Creations of the kind are serialized (an
 * advisory lock on PostgreSQL; SQLite serializes writers) so that two nodes cannot both count one
 * below the quota. A name that is taken has room: the insert then answers that it exists, as AWS
 * does (a duplicate is reported before the quota).
 */
export function* roomInQuota(table: string, nameKey: string, maxCount: number | undefined): Work<boolean> {
  if (maxCount === undefined) return true;
  yield* lock(`${table}-quota`);
  if ((yield* one(`SELECT 1 FROM ${table} WHERE name_key = ?`, [nameKey])) !== undefined) return true;
  const count = yield* one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(count!.n) < maxCount;
}

/** Within a transaction: whether a customer managed policy exists, locked against DeletePolicy. */
export function* managedPolicyExists(arn: string | null): Work<boolean> {
  return arn !== null && (yield* one('SELECT 1 FROM managed_policies WHERE arn = ? FOR SHARE', [arn])) !== undefined;
}

/**
 * The permissions boundary of a user or a role. With `policyMustExist` (a customer managed policy)
 * the policy is checked in the same transaction, so a racing DeletePolicy either sees the boundary
 * or wins.
 */
export async function setBoundary(
  sql: Sql,
  table: 'users' | 'roles',
  name: string,
  policyArn: string | null,
  policyMustExist: boolean,
): Promise<'ok' | 'missing' | 'no-policy'> {
  if (hasNul(name)) return 'missing';
  return sql.transaction(function* () {
    if (policyMustExist && !(yield* managedPolicyExists(policyArn))) return 'no-policy' as const;
    const changed = yield* run(`UPDATE ${table} SET permissions_boundary = ? WHERE name_key = ?`, [policyArn, fold(name)]);
    return changed === 1 ? ('ok' as const) : ('missing' as const);
  });
}
