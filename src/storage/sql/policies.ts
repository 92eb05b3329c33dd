import type { ManagedPolicy, PolicyOwner, PolicyVersion, PrincipalKind, Tag } from '../../domain/entities.js';
import type {
  AttachmentRepository,
  AuthorizationRepository,
  EntitiesPageOptions,
  InlinePolicyRepository,
  InlineSizeLimit,
  ListOptions,
  ListPage,
  ManagedPolicyRepository,
  PolicyEntity,
  PolicySet,
} from '../../ports/store.js';
import { managedPolicyExists, roomInQuota } from './named.js';
import { all, cutAtNul, fold, groupBy, hasNul, lock, one, prefixOf, prefixParams, run, type Sql, type Work } from './sql.js';
import { removeAllTags, removeTags, Tags, upsertTags } from './tags.js';
import { BoundedMap } from '../../domain/bounded-map.js';

/** Managed policies and their versions, inline policies, attachments, and what the authorizer reads. */

/** The table of each kind of policy owner (fixed names, never input). */
const OWNER_TABLE: Record<PrincipalKind, string> = { user: 'users', group: 'groups', role: 'roles' };

/** Within a transaction: whether the owner still exists, locked against its deletion. */
function* ownerExists(owner: PolicyOwner): Work<boolean> {
  return (yield* one(`SELECT 1 FROM ${OWNER_TABLE[owner.kind]} WHERE id = ? FOR SHARE`, [owner.id])) !== undefined;
}

interface PolicyRow {
  arn: string;
  id: string;
  name: string;
  path: string;
  description: string | null;
  default_version: number;
  created_at: number;
  updated_at: number;
  attachment_count: number;
  boundary_count: number;
}

const POLICY_SELECT = `SELECT p.*,
  (SELECT count(*) FROM policy_attachments a WHERE a.policy_arn = p.arn) AS attachment_count,
  (SELECT count(*) FROM users u WHERE u.permissions_boundary = p.arn)
    + (SELECT count(*) FROM roles r WHERE r.permissions_boundary = p.arn) AS boundary_count
  FROM managed_policies p`;

const toPolicy = (r: PolicyRow, tags: Tag[]): ManagedPolicy => ({
  arn: r.arn,
  id: r.id,
  name: r.name,
  path: r.path,
  description: r.description,
  defaultVersion: r.default_version,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  attachmentCount: Number(r.attachment_count),
  permissionsBoundaryUsageCount: Number(r.boundary_count),
  tags,
});

interface VersionRow {
  version: number;
  document: string;
  created_at: number;
}
const toVersion = (r: VersionRow): PolicyVersion => ({ version: r.version, document: r.document, createdAt: new Date(r.created_at) });

export class SqlManagedPolicies implements ManagedPolicyRepository {
  private readonly tags: Tags;

  constructor(private readonly sql: Sql) {
    this.tags = new Tags(sql);
  }

  async create(p: ManagedPolicy, document: string, maxCount?: number): Promise<boolean | 'quota'> {
    return this.sql.transaction(function* () {
      if (!(yield* roomInQuota('managed_policies', fold(p.name), maxCount))) return 'quota' as const;
      const inserted = yield* run(
        `INSERT INTO managed_policies (arn, id, name, name_key, path, description, default_version, next_version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 1, 2, ?, ?) ON CONFLICT DO NOTHING`,
        [p.arn, p.id, p.name, fold(p.name), p.path, p.description, p.createdAt.getTime(), p.updatedAt.getTime()],
      );
      if (inserted !== 1) return false;
      yield* run('INSERT INTO policy_versions (policy_arn, version, document, created_at) VALUES (?, 1, ?, ?)', [p.arn, document, p.createdAt.getTime()]);
      yield* upsertTags(p.id, p.tags, Number.MAX_SAFE_INTEGER, 'exact');
      return true;
    });
  }

  async get(arn: string): Promise<ManagedPolicy | undefined> {
    if (hasNul(arn)) return undefined;
    const row = await this.sql.one<PolicyRow>(`${POLICY_SELECT} WHERE p.arn = ?`, [arn]);
    return row && toPolicy(row, await this.tags.of(row.id));
  }

  async listPage(options: ListOptions & { onlyAttached?: boolean }): Promise<ListPage<ManagedPolicy>> {
    if (hasNul(options.pathPrefix)) return { items: [] }; // no path holds one
    // As the named resources list: by folded name, the marker being the last name served.
    const attached = options.onlyAttached ? ' AND EXISTS (SELECT 1 FROM policy_attachments a WHERE a.policy_arn = p.arn)' : '';
    const rows = await this.sql.all<PolicyRow>(`${POLICY_SELECT} WHERE ${prefixOf('p.path')} AND p.name_key > ?${attached} ORDER BY p.name_key LIMIT ?`, [
      ...prefixParams(options.pathPrefix),
      fold(cutAtNul(options.marker ?? '')),
      options.maxItems + 1,
    ]);
    const page = rows.slice(0, options.maxItems);
    const tags = await this.tags.ofMany(page.map((r) => r.id));
    const items = page.map((r) => toPolicy(r, tags.get(r.id) ?? []));
    return rows.length > options.maxItems ? { items, nextMarker: rows[options.maxItems - 1]!.name } : { items };
  }

  async delete(arn: string) {
    return this.sql.transaction(function* () {
      // Lock first, then count what refers to it, as of after the lock.
      const locked = yield* one<{ id: string }>('SELECT id FROM managed_policies WHERE arn = ? FOR UPDATE', [arn]);
      if (!locked) return 'missing' as const;
      const row = (yield* one<PolicyRow>(`${POLICY_SELECT} WHERE p.arn = ?`, [arn]))!;
      if (Number(row.attachment_count) > 0 || Number(row.boundary_count) > 0) return 'attached' as const;
      const versions = yield* one<{ n: number }>('SELECT count(*) AS n FROM policy_versions WHERE policy_arn = ?', [arn]);
      if (versions!.n > 1) return 'has-versions' as const;
      yield* run('DELETE FROM policy_versions WHERE policy_arn = ?', [arn]);
      yield* removeAllTags(locked.id);
      yield* run('DELETE FROM managed_policies WHERE arn = ?', [arn]);
      return 'ok' as const;
    });
  }

  async createVersion(arn: string, document: string, setAsDefault: boolean, at: Date, maxVersions: number) {
    return this.sql.transaction(function* (): Work<'missing' | 'limit' | PolicyVersion> {
      const row = yield* one<{ next_version: number }>('SELECT next_version FROM managed_policies WHERE arn = ? FOR UPDATE', [arn]);
      if (!row) return 'missing';
      const count = yield* one<{ n: number }>('SELECT count(*) AS n FROM policy_versions WHERE policy_arn = ?', [arn]);
      if (count!.n >= maxVersions) return 'limit';
      const version = row.next_version;
      yield* run('INSERT INTO policy_versions (policy_arn, version, document, created_at) VALUES (?, ?, ?, ?)', [arn, version, document, at.getTime()]);
      yield* run(
        `UPDATE managed_policies SET next_version = next_version + 1, updated_at = ?,
           default_version = CASE WHEN ? THEN ? ELSE default_version END WHERE arn = ?`,
        [at.getTime(), setAsDefault, version, arn],
      );
      return { version, document, createdAt: at };
    });
  }

  async getVersion(arn: string, version: number): Promise<PolicyVersion | undefined> {
    if (hasNul(arn)) return undefined;
    const row = await this.sql.one<VersionRow>('SELECT * FROM policy_versions WHERE policy_arn = ? AND version = ?', [arn, version]);
    return row && toVersion(row);
  }

  async listVersions(arn: string): Promise<PolicyVersion[]> {
    if (hasNul(arn)) return [];
    return (await this.sql.all<VersionRow>('SELECT * FROM policy_versions WHERE policy_arn = ? ORDER BY version DESC', [arn])).map(toVersion);
  }

  async versionsOf(arns: readonly string[]): Promise<Map<string, PolicyVersion[]>> {
    if (arns.length === 0) return new Map();
    const rows = await this.sql.all<VersionRow & { policy_arn: string }>(
      'SELECT * FROM policy_versions WHERE policy_arn = ANY(?) ORDER BY policy_arn, version DESC',
      [arns.filter((a) => !hasNul(a))],
    );
    return groupBy(rows, (r) => r.policy_arn, toVersion);
  }

  async deleteVersion(arn: string, version: number) {
    return this.sql.transaction(function* () {
      const p = yield* one<{ default_version: number }>('SELECT default_version FROM managed_policies WHERE arn = ? FOR UPDATE', [arn]);
      if (!p) return 'missing' as const;
      if (p.default_version === version) return 'default' as const;
      const deleted = yield* run('DELETE FROM policy_versions WHERE policy_arn = ? AND version = ?', [arn, version]);
      return deleted === 1 ? ('ok' as const) : ('missing' as const);
    });
  }

  async setDefaultVersion(arn: string, version: number, at: Date) {
    return this.sql.transaction(function* () {
      yield* one('SELECT 1 FROM managed_policies WHERE arn = ? FOR UPDATE', [arn]);
      if (!(yield* one('SELECT 1 FROM policy_versions WHERE policy_arn = ? AND version = ?', [arn, version]))) return 'missing' as const;
      yield* run('UPDATE managed_policies SET default_version = ?, updated_at = ? WHERE arn = ?', [version, at.getTime(), arn]);
      return 'ok' as const;
    });
  }

  async tag(arn: string, tags: Tag[], maxTags: number): Promise<'missing' | 'too-many' | 'ok'> {
    if (hasNul(arn)) return 'missing';
    return this.sql.transaction<'missing' | 'too-many' | 'ok'>(function* () {
      const row = yield* one<{ id: string }>('SELECT id FROM managed_policies WHERE arn = ? FOR UPDATE', [arn]);
      if (!row) return 'missing';
      return yield* upsertTags(row.id, tags, maxTags, 'exact');
    });
  }

  async untag(arn: string, keys: string[]): Promise<'missing' | 'ok'> {
    if (hasNul(arn)) return 'missing';
    return this.sql.transaction(function* () {
      const row = yield* one<{ id: string }>('SELECT id FROM managed_policies WHERE arn = ? FOR UPDATE', [arn]);
      if (!row) return 'missing' as const;
      yield* removeTags(row.id, keys, 'exact');
      return 'ok' as const;
    });
  }

  async count(): Promise<number> {
    return (await this.sql.one<{ n: number }>('SELECT count(*) AS n FROM managed_policies'))!.n;
  }
}

export class SqlInlinePolicies implements InlinePolicyRepository {
  constructor(private readonly sql: Sql) {}

  async put(owner: PolicyOwner, name: string, document: string, sizeLimit?: InlineSizeLimit): Promise<boolean | 'too-big'> {
    return this.sql.transaction(function* () {
      if (sizeLimit === undefined) {
        if (!(yield* ownerExists(owner))) return false;
      } else {
        // The owner's row locked for update serializes its puts, so two nodes cannot each add a
        // policy that fits alone but not together. The others are read and measured here (at most
        // a role's 10,240 characters in all): the size excludes white space, which SQL cannot
        // count portably.
        if ((yield* one(`SELECT 1 FROM ${OWNER_TABLE[owner.kind]} WHERE id = ? FOR UPDATE`, [owner.id])) === undefined) return false;
        const others = yield* all<{ document: string }>('SELECT document FROM inline_policies WHERE owner_id = ? AND name_key <> ?', [owner.id, fold(name)]);
        const total = others.reduce((sum, p) => sum + sizeLimit.sizeOf(p.document), sizeLimit.sizeOf(document));
        if (total > sizeLimit.maxTotal) return 'too-big' as const;
      }
      yield* run(
        `INSERT INTO inline_policies (owner_kind, owner_id, name, name_key, document) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (owner_id, name_key) DO UPDATE SET name = excluded.name, document = excluded.document`,
        [owner.kind, owner.id, name, fold(name), document],
      );
      return true;
    });
  }

  async get(owner: PolicyOwner, name: string) {
    if (hasNul(name)) return undefined;
    return this.sql.one<{ name: string; document: string }>('SELECT name, document FROM inline_policies WHERE owner_id = ? AND name_key = ?', [
      owner.id,
      fold(name),
    ]);
  }

  async delete(owner: PolicyOwner, name: string): Promise<boolean> {
    if (hasNul(name)) return false;
    return (await this.sql.run('DELETE FROM inline_policies WHERE owner_id = ? AND name_key = ?', [owner.id, fold(name)])) === 1;
  }

  async list(owner: PolicyOwner) {
    return this.sql.all<{ name: string; document: string }>('SELECT name, document FROM inline_policies WHERE owner_id = ? ORDER BY name_key', [
      owner.id,
    ]);
  }

  async listForOwners(ownerIds: readonly string[]): Promise<Map<string, { name: string; document: string }[]>> {
    if (ownerIds.length === 0) return new Map();
    const rows = await this.sql.all<{ owner_id: string; name: string; document: string }>(
      'SELECT owner_id, name, document FROM inline_policies WHERE owner_id = ANY(?) ORDER BY owner_id, name_key',
      [ownerIds],
    );
    return groupBy(
      rows,
      (r) => r.owner_id,
      (r) => ({ name: r.name, document: r.document }),
    );
  }
}

export class SqlAttachments implements AttachmentRepository {
  constructor(private readonly sql: Sql) {}

  async attach(owner: PolicyOwner, policyArn: string, maxAttached: number, policyMustExist = false) {
    return this.sql.transaction(function* () {
      if (policyMustExist && !(yield* managedPolicyExists(policyArn))) return 'missing' as const;
      if (!(yield* ownerExists(owner))) return 'no-owner' as const;
      // Serializes attachments to one owner (the owner's row is only share-locked), so that two
      // nodes cannot both count one below the quota.
      yield* lock(`attachments:${owner.id}`);
      if (yield* one('SELECT 1 FROM policy_attachments WHERE owner_id = ? AND policy_arn = ?', [owner.id, policyArn])) return 'ok' as const;
      const count = yield* one<{ n: number }>('SELECT count(*) AS n FROM policy_attachments WHERE owner_id = ?', [owner.id]);
      if (count!.n >= maxAttached) return 'limit' as const;
      yield* run('INSERT INTO policy_attachments (owner_kind, owner_id, policy_arn) VALUES (?, ?, ?)', [owner.kind, owner.id, policyArn]);
      return 'ok' as const;
    });
  }

  async detach(owner: PolicyOwner, policyArn: string): Promise<boolean> {
    if (hasNul(policyArn)) return false;
    return (await this.sql.run('DELETE FROM policy_attachments WHERE owner_id = ? AND policy_arn = ?', [owner.id, policyArn])) === 1;
  }

  async list(owner: PolicyOwner): Promise<string[]> {
    const rows = await this.sql.all<{ policy_arn: string }>('SELECT policy_arn FROM policy_attachments WHERE owner_id = ? ORDER BY seq', [owner.id]);
    return rows.map((r) => r.policy_arn);
  }

  async listForOwners(ownerIds: readonly string[]): Promise<Map<string, string[]>> {
    if (ownerIds.length === 0) return new Map();
    const rows = await this.sql.all<{ owner_id: string; policy_arn: string }>(
      'SELECT owner_id, policy_arn FROM policy_attachments WHERE owner_id = ANY(?) ORDER BY seq',
      [ownerIds],
    );
    return groupBy(
      rows,
      (r) => r.owner_id,
      (r) => r.policy_arn,
    );
  }

  async countFor(policyArn: string): Promise<number> {
    return (await this.sql.one<{ n: number }>('SELECT count(*) AS n FROM policy_attachments WHERE policy_arn = ?', [policyArn]))!.n;
  }

  async countsFor(policyArns: readonly string[]): Promise<Map<string, number>> {
    if (policyArns.length === 0) return new Map();
    const rows = await this.sql.all<{ policy_arn: string; n: number | string }>(
      'SELECT policy_arn, count(*) AS n FROM policy_attachments WHERE policy_arn = ANY(?) GROUP BY policy_arn',
      [policyArns.filter((a) => !hasNul(a))],
    );
    return new Map(rows.map((r) => [r.policy_arn, Number(r.n)]));
  }

  async entitiesPage(policyArn: string, options: EntitiesPageOptions): Promise<ListPage<PolicyEntity>> {
    if (hasNul(policyArn) || hasNul(options.pathPrefix)) return { items: [] };
    // Each source of entities is one SELECT (the table names are fixed, never input); UNION, not
    // UNION ALL, so an entity the policy both is attached to and bounds is listed once.
    const parts: string[] = [];
    const params: string[] = [];
    for (const kind of options.kinds) {
      const rank = KIND_RANK[kind];
      const table = OWNER_TABLE[kind];
      if (options.usages.includes('PermissionsPolicy')) {
        parts.push(`SELECT ${rank} AS kind_rank, e.id, e.name, e.path, e.name_key FROM policy_attachments a JOIN ${table} e ON e.id = a.owner_id WHERE a.policy_arn = ?`);
        params.push(policyArn);
      }
      if (options.usages.includes('PermissionsBoundary') && kind !== 'group') {
        parts.push(`SELECT ${rank} AS kind_rank, e.id, e.name, e.path, e.name_key FROM ${table} e WHERE e.permissions_boundary = ?`);
        params.push(policyArn);
      }
    }
    if (parts.length === 0) return { items: [] };
    // The position after the last one served: its folded name, then its kind (user, group, role).
    const after = options.marker === undefined ? { rank: -1, name: '' } : { rank: Number(options.marker.charAt(0)), name: cutAtNul(options.marker.slice(2)) };
    const rows = await this.sql.all<{ kind_rank: number | string; id: string; name: string; path: string }>(
      `SELECT kind_rank, id, name, path FROM (${parts.join(' UNION ')}) AS entities
       WHERE ${prefixOf('path')} AND (name_key > ? OR (name_key = ? AND kind_rank > ?))
       ORDER BY name_key, kind_rank LIMIT ?`,
      [...params, ...prefixParams(options.pathPrefix), fold(after.name), fold(after.name), after.rank, options.maxItems + 1],
    );
    const items = rows.slice(0, options.maxItems).map((r) => ({ kind: RANKED_KINDS[Number(r.kind_rank)]!, id: r.id, name: r.name, path: r.path }));
    if (rows.length <= options.maxItems) return { items };
    const last = items[items.length - 1]!;
    return { items, nextMarker: `${KIND_RANK[last.kind]}/${last.name}` };
  }
}

/** Entities of one name are listed user, group, role (the order of ListEntitiesForPolicy's members). */
const RANKED_KINDS: readonly PrincipalKind[] = ['user', 'group', 'role'];
const KIND_RANK: Record<PrincipalKind, number> = { user: 0, group: 1, role: 2 };

/** The default-version documents of customer managed policies, joined where an ARN is. */
const DEFAULT_DOCUMENT = `LEFT JOIN managed_policies p ON p.arn = a.policy_arn
  LEFT JOIN policy_versions v ON v.policy_arn = p.arn AND v.version = p.default_version`;

export class SqlAuthorization implements AuthorizationRepository {
  /**
   * Each principal's policy set as last assembled, with the database epoch it was read at: every
   * request of an IAM user or a role session asks for it, and while nothing has been written (the
   * epoch stands, see read-cache.ts) the answer is the same object, and no statement is asked
   * again. Only where every write moves the epoch (SQLite); PostgreSQL reads every time, since
   * another node's policy change is not announced.
   */
  private readonly assembled = new BoundedMap<string, { epoch: number; set: PolicySet }>(1000);

  constructor(private readonly sql: Sql) {}

  private async policySet(queries: PolicySetQueries, ownerParams: string[], principalId: string): Promise<PolicySet> {
    if (!this.sql.everyWriteMovesEpoch) return this.readPolicySet(queries, ownerParams, principalId);
    const epoch = this.sql.epoch();
    const kept = this.assembled.get(principalId);
    if (kept !== undefined && kept.epoch === epoch) return kept.set;
    const set = await this.readPolicySet(queries, ownerParams, principalId);
    this.assembled.set(principalId, { epoch, set });
    return set;
  }

  /** The policies of a set of owners (a user and its groups, a role, a group), and the boundary of users and roles. */
  private async readPolicySet(queries: PolicySetQueries, ownerParams: string[], principalId: string): Promise<PolicySet> {
    const [inlineRows, attachedRows, boundary] = await Promise.all([
      this.sql.all<{ owner_kind: string; owner_id: string; name: string; document: string }>(queries.inline, ownerParams),
      this.sql.all<{ policy_arn: string; document: string | null }>(queries.attached, ownerParams),
      // A group has no permissions boundary.
      queries.boundary === null ? undefined : this.sql.one<{ policy_arn: string; document: string | null }>(queries.boundary, [principalId]),
    ]);
    const inline = inlineRows.map((r) => ({ id: `${r.owner_kind}:${r.owner_id}:${r.name}`, document: r.document }));
    const customerDocuments = new Map<string, string>();
    const attachedArns: string[] = [];
    for (const r of attachedRows) {
      attachedArns.push(r.policy_arn);
      if (r.document !== null) customerDocuments.set(r.policy_arn, r.document);
    }
    if (boundary?.document) customerDocuments.set(boundary.policy_arn, boundary.document);
    return { inline, attachedArns, boundaryArn: boundary?.policy_arn ?? null, customerDocuments };
  }

  policiesFor(userId: string): Promise<PolicySet> {
    // The user's own policies and those of its groups.
    return this.policySet(USER_POLICY_SET, [userId, userId], userId);
  }

  policiesForRole(roleId: string): Promise<PolicySet> {
    return this.policySet(ROLE_POLICY_SET, [roleId], roleId);
  }

  policiesForGroup(groupId: string): Promise<PolicySet> {
    return this.policySet(GROUP_POLICY_SET, [groupId], groupId);
  }
}

/**
 * The three statements that gather a principal's policies, written once per kind of principal:
 * they run on nearly every request, and a statement text built afresh each time would be hashed
 * afresh by every map that keeps statements by their text.
 */
interface PolicySetQueries {
  inline: string;
  attached: string;
  boundary: string | null;
}

function policySetQueries(ownerQuery: string, boundaryTable: 'users' | 'roles' | null): PolicySetQueries {
  return {
    inline: `SELECT owner_kind, owner_id, name, document FROM inline_policies WHERE owner_id IN (${ownerQuery})`,
    attached: `SELECT DISTINCT a.policy_arn, v.document FROM policy_attachments a ${DEFAULT_DOCUMENT} WHERE a.owner_id IN (${ownerQuery})`,
    boundary:
      boundaryTable === null
        ? null
        : `SELECT a.permissions_boundary AS policy_arn, v.document FROM ${boundaryTable} a
             LEFT JOIN managed_policies p ON p.arn = a.permissions_boundary
             LEFT JOIN policy_versions v ON v.policy_arn = p.arn AND v.version = p.default_version
             WHERE a.id = ? AND a.permissions_boundary IS NOT NULL`,
  };
}

/** A user's own policies and those of its groups. */
const USER_POLICY_SET = policySetQueries('SELECT CAST(? AS TEXT) UNION ALL SELECT group_id FROM group_members WHERE user_id = ?', 'users');
const ROLE_POLICY_SET = policySetQueries('SELECT CAST(? AS TEXT)', 'roles');
const GROUP_POLICY_SET = policySetQueries('SELECT CAST(? AS TEXT)', null);
