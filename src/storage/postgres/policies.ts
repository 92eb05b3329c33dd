import type pg from 'pg';
import type { Group, ManagedPolicy, PolicyOwner, PolicyVersion, User } from '../../domain/entities.js';
import type {
  AttachmentRepository,
  AuthorizationRepository,
  CredentialReportRepository,
  GroupRepository,
  InlinePolicyRepository,
  ListPage,
  ManagedPolicyRepository,
  PolicySet,
} from '../../ports/store.js';
import { cutAtNul, hasNul, managedPolicyExists, transaction } from './db.js';
import { toUser, USER_SELECT, type UserRow } from './users.js';

/** Groups, policies (managed, inline, attachments), what the authorizer reads, credential reports. */

interface GroupRow {
  id: string;
  name: string;
  path: string;
  created_at: number;
}
const toGroup = (r: GroupRow): Group => ({ id: r.id, name: r.name, path: r.path, createdAt: new Date(r.created_at) });

const GROUP_BY_NAME = 'lower(name) = lower($1::text COLLATE "C")';

export class PostgresGroups implements GroupRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(g: Group): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'INSERT INTO groups (id, name, path, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [g.id, g.name, g.path, g.createdAt.getTime()],
    );
    return rowCount === 1;
  }

  async getByName(name: string): Promise<Group | undefined> {
    if (hasNul(name)) return undefined;
    const { rows } = await this.pool.query<GroupRow>(`SELECT * FROM groups WHERE ${GROUP_BY_NAME}`, [name]);
    return rows[0] && toGroup(rows[0]);
  }

  async list(options: { pathPrefix: string; marker?: string; maxItems: number }): Promise<ListPage<Group>> {
    if (hasNul(options.pathPrefix)) return { items: [] }; // no path holds one
    const { rows } = await this.pool.query<GroupRow>(
      `SELECT * FROM groups
       WHERE starts_with(path, $1::text COLLATE "C") AND lower(name) > lower(coalesce($2::text, '') COLLATE "C")
       ORDER BY lower(name) LIMIT $3`,
      [options.pathPrefix, options.marker === undefined ? null : cutAtNul(options.marker), options.maxItems + 1],
    );
    const items = rows.slice(0, options.maxItems).map(toGroup);
    return rows.length > options.maxItems ? { items, nextMarker: items[items.length - 1]!.name } : { items };
  }

  async delete(name: string) {
    return transaction(this.pool, async (tx) => {
      const { rows } = await tx.query<GroupRow>(`SELECT * FROM groups WHERE ${GROUP_BY_NAME} FOR UPDATE`, [name]);
      const row = rows[0];
      if (!row) return 'missing' as const;
      const has = async (sql: string) => ((await tx.query(sql, [row.id])).rowCount ?? 0) > 0;
      if (await has('SELECT 1 FROM group_members WHERE group_id = $1')) return 'has-members' as const;
      if (await has("SELECT 1 FROM inline_policies WHERE owner_kind = 'group' AND owner_id = $1")) return 'has-inline-policies' as const;
      if (await has("SELECT 1 FROM policy_attachments WHERE owner_kind = 'group' AND owner_id = $1")) return 'has-attached-policies' as const;
      await tx.query('DELETE FROM groups WHERE id = $1', [row.id]);
      return 'ok' as const;
    });
  }

  async addMember(groupId: string, userId: string): Promise<boolean> {
    // Inserts only while both still exist (a racing DeleteUser/DeleteGroup must not become a 500).
    await this.pool.query(
      `INSERT INTO group_members (group_id, user_id)
       SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM groups WHERE id = $1) AND EXISTS (SELECT 1 FROM users WHERE id = $2)
       ON CONFLICT DO NOTHING`,
      [groupId, userId],
    );
    const { rowCount } = await this.pool.query('SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2', [groupId, userId]);
    return rowCount === 1;
  }

  async removeMember(groupId: string, userId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM group_members WHERE group_id = $1 AND user_id = $2', [groupId, userId]);
    return rowCount === 1;
  }

  async members(groupId: string): Promise<User[]> {
    const { rows } = await this.pool.query<UserRow>(
      `${USER_SELECT('u')} FROM users u JOIN group_members m ON m.user_id = u.id WHERE m.group_id = $1 ORDER BY lower(u.name)`,
      [groupId],
    );
    return rows.map(toUser);
  }

  async groupsOf(userId: string): Promise<Group[]> {
    const { rows } = await this.pool.query<GroupRow>(
      'SELECT g.* FROM groups g JOIN group_members m ON m.group_id = g.id WHERE m.user_id = $1 ORDER BY lower(g.name)',
      [userId],
    );
    return rows.map(toGroup);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM groups');
    return rows[0]!.n;
  }
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
  (SELECT count(*) FROM users u WHERE u.permissions_boundary = p.arn) AS boundary_count
  FROM managed_policies p`;

const toPolicy = (r: PolicyRow): ManagedPolicy => ({
  arn: r.arn,
  id: r.id,
  name: r.name,
  path: r.path,
  description: r.description,
  defaultVersion: r.default_version,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  attachmentCount: r.attachment_count,
  permissionsBoundaryUsageCount: r.boundary_count,
});

interface VersionRow {
  version: number;
  document: string;
  created_at: number;
}
const toVersion = (r: VersionRow): PolicyVersion => ({ version: r.version, document: r.document, createdAt: new Date(r.created_at) });

export class PostgresManagedPolicies implements ManagedPolicyRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(p: ManagedPolicy, document: string): Promise<boolean> {
    return transaction(this.pool, async (tx) => {
      const { rowCount } = await tx.query(
        `INSERT INTO managed_policies (arn, id, name, path, description, default_version, next_version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, 2, $6, $7) ON CONFLICT DO NOTHING`,
        [p.arn, p.id, p.name, p.path, p.description, p.createdAt.getTime(), p.updatedAt.getTime()],
      );
      if (rowCount !== 1) return false;
      await tx.query('INSERT INTO policy_versions (policy_arn, version, document, created_at) VALUES ($1, 1, $2, $3)', [
        p.arn,
        document,
        p.createdAt.getTime(),
      ]);
      return true;
    });
  }

  async get(arn: string): Promise<ManagedPolicy | undefined> {
    if (hasNul(arn)) return undefined;
    const { rows } = await this.pool.query<PolicyRow>(`${POLICY_SELECT} WHERE p.arn = $1`, [arn]);
    return rows[0] && toPolicy(rows[0]);
  }

  async list(options: { pathPrefix: string; onlyAttached: boolean }): Promise<ManagedPolicy[]> {
    if (hasNul(options.pathPrefix)) return []; // no path holds one
    const { rows } = await this.pool.query<PolicyRow>(
      `${POLICY_SELECT} WHERE starts_with(p.path, $1::text COLLATE "C") ORDER BY lower(p.name)`,
      [options.pathPrefix],
    );
    return rows.map(toPolicy).filter((p) => !options.onlyAttached || p.attachmentCount > 0);
  }

  async delete(arn: string) {
    return transaction(this.pool, async (tx) => {
      // Lock first, then count what refers to it, as of after the lock.
      const locked = await tx.query('SELECT 1 FROM managed_policies WHERE arn = $1 FOR UPDATE', [arn]);
      if (locked.rowCount !== 1) return 'missing' as const;
      const { rows } = await tx.query<PolicyRow>(`${POLICY_SELECT} WHERE p.arn = $1`, [arn]);
      const row = rows[0]!;
      if (row.attachment_count > 0 || row.boundary_count > 0) return 'attached' as const;
      const versions = await tx.query<{ n: number }>('SELECT count(*) AS n FROM policy_versions WHERE policy_arn = $1', [arn]);
      if (versions.rows[0]!.n > 1) return 'has-versions' as const;
      await tx.query('DELETE FROM managed_policies WHERE arn = $1', [arn]);
      return 'ok' as const;
    });
  }

  async createVersion(arn: string, document: string, setAsDefault: boolean, at: Date, maxVersions: number) {
    return transaction(this.pool, async (tx): Promise<'missing' | 'limit' | PolicyVersion> => {
      const { rows } = await tx.query<{ next_version: number }>(
        'SELECT next_version FROM managed_policies WHERE arn = $1 FOR UPDATE',
        [arn],
      );
      const row = rows[0];
      if (!row) return 'missing';
      const count = await tx.query<{ n: number }>('SELECT count(*) AS n FROM policy_versions WHERE policy_arn = $1', [arn]);
      if (count.rows[0]!.n >= maxVersions) return 'limit';
      const version = row.next_version;
      await tx.query('INSERT INTO policy_versions (policy_arn, version, document, created_at) VALUES ($1, $2, $3, $4)', [
        arn,
        version,
        document,
        at.getTime(),
      ]);
      await tx.query(
        `UPDATE managed_policies SET next_version = next_version + 1, updated_at = $1,
           default_version = CASE WHEN $2::boolean THEN $3 ELSE default_version END WHERE arn = $4`,
        [at.getTime(), setAsDefault, version, arn],
      );
      return { version, document, createdAt: at };
    });
  }

  async getVersion(arn: string, version: number): Promise<PolicyVersion | undefined> {
    const { rows } = await this.pool.query<VersionRow>('SELECT * FROM policy_versions WHERE policy_arn = $1 AND version = $2', [arn, version]);
    return rows[0] && toVersion(rows[0]);
  }

  async listVersions(arn: string): Promise<PolicyVersion[]> {
    const { rows } = await this.pool.query<VersionRow>('SELECT * FROM policy_versions WHERE policy_arn = $1 ORDER BY version DESC', [arn]);
    return rows.map(toVersion);
  }

  async deleteVersion(arn: string, version: number) {
    return transaction(this.pool, async (tx) => {
      const { rows } = await tx.query<{ default_version: number }>(
        'SELECT default_version FROM managed_policies WHERE arn = $1 FOR UPDATE',
        [arn],
      );
      const p = rows[0];
      if (!p) return 'missing' as const;
      if (p.default_version === version) return 'default' as const;
      const { rowCount } = await tx.query('DELETE FROM policy_versions WHERE policy_arn = $1 AND version = $2', [arn, version]);
      return rowCount === 1 ? ('ok' as const) : ('missing' as const);
    });
  }

  async setDefaultVersion(arn: string, version: number, at: Date) {
    return transaction(this.pool, async (tx) => {
      // Locking the policy first orders this against a concurrent DeletePolicyVersion.
      await tx.query('SELECT 1 FROM managed_policies WHERE arn = $1 FOR UPDATE', [arn]);
      const exists = await tx.query('SELECT 1 FROM policy_versions WHERE policy_arn = $1 AND version = $2', [arn, version]);
      if (exists.rowCount !== 1) return 'missing' as const;
      await tx.query('UPDATE managed_policies SET default_version = $1, updated_at = $2 WHERE arn = $3', [version, at.getTime(), arn]);
      return 'ok' as const;
    });
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM managed_policies');
    return rows[0]!.n;
  }
}

const INLINE_NAME = 'lower(name) = lower($3::text COLLATE "C")';

export class PostgresInlinePolicies implements InlinePolicyRepository {
  constructor(private readonly pool: pg.Pool) {}

  async put(owner: PolicyOwner, name: string, document: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO inline_policies (owner_kind, owner_id, name, document) VALUES ($1, $2, $3, $4)
       ON CONFLICT (owner_kind, owner_id, lower(name)) DO UPDATE SET name = excluded.name, document = excluded.document`,
      [owner.kind, owner.id, name, document],
    );
  }

  async get(owner: PolicyOwner, name: string) {
    const { rows } = await this.pool.query<{ name: string; document: string }>(
      `SELECT name, document FROM inline_policies WHERE owner_kind = $1 AND owner_id = $2 AND ${INLINE_NAME}`,
      [owner.kind, owner.id, name],
    );
    return rows[0];
  }

  async delete(owner: PolicyOwner, name: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM inline_policies WHERE owner_kind = $1 AND owner_id = $2 AND ${INLINE_NAME}`,
      [owner.kind, owner.id, name],
    );
    return rowCount === 1;
  }

  async list(owner: PolicyOwner) {
    const { rows } = await this.pool.query<{ name: string; document: string }>(
      'SELECT name, document FROM inline_policies WHERE owner_kind = $1 AND owner_id = $2 ORDER BY lower(name)',
      [owner.kind, owner.id],
    );
    return rows;
  }
}

/** Serializes the attachment quota check of one user or group across nodes. */
const ownerLock = (owner: PolicyOwner) => `iamd:attachments:${owner.kind}:${owner.id}`;

export class PostgresAttachments implements AttachmentRepository {
  constructor(private readonly pool: pg.Pool) {}

  async attach(owner: PolicyOwner, policyArn: string, maxAttached: number, policyMustExist = false): Promise<'ok' | 'limit' | 'missing'> {
    return transaction(this.pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [ownerLock(owner)]);
      if (policyMustExist && !(await managedPolicyExists(tx, policyArn))) return 'missing' as const;
      const exists = await tx.query(
        'SELECT 1 FROM policy_attachments WHERE owner_kind = $1 AND owner_id = $2 AND policy_arn = $3',
        [owner.kind, owner.id, policyArn],
      );
      if (exists.rowCount === 1) return 'ok' as const;
      const { rows } = await tx.query<{ n: number }>(
        'SELECT count(*) AS n FROM policy_attachments WHERE owner_kind = $1 AND owner_id = $2',
        [owner.kind, owner.id],
      );
      if (rows[0]!.n >= maxAttached) return 'limit' as const;
      await tx.query('INSERT INTO policy_attachments (owner_kind, owner_id, policy_arn) VALUES ($1, $2, $3)', [
        owner.kind,
        owner.id,
        policyArn,
      ]);
      return 'ok' as const;
    });
  }

  async detach(owner: PolicyOwner, policyArn: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM policy_attachments WHERE owner_kind = $1 AND owner_id = $2 AND policy_arn = $3',
      [owner.kind, owner.id, policyArn],
    );
    return rowCount === 1;
  }

  async list(owner: PolicyOwner): Promise<string[]> {
    const { rows } = await this.pool.query<{ policy_arn: string }>(
      'SELECT policy_arn FROM policy_attachments WHERE owner_kind = $1 AND owner_id = $2 ORDER BY seq',
      [owner.kind, owner.id],
    );
    return rows.map((r) => r.policy_arn);
  }

  async countFor(policyArn: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM policy_attachments WHERE policy_arn = $1', [policyArn]);
    return rows[0]!.n;
  }
}

export class PostgresAuthorization implements AuthorizationRepository {
  constructor(private readonly pool: pg.Pool) {}

  async policiesFor(userId: string): Promise<PolicySet> {
    // One statement, so the three parts come from one snapshot: the user's own policies and those
    // of its groups, and its permissions boundary, with customer policies' default documents.
    const { rows } = await this.pool.query<{ part: 'inline' | 'attached' | 'boundary'; ref: string; document: string | null }>(
      `SELECT 'inline' AS part, owner_kind || ':' || owner_id || ':' || name AS ref, document FROM inline_policies
         WHERE (owner_kind = 'user' AND owner_id = $1)
            OR (owner_kind = 'group' AND owner_id IN (SELECT group_id FROM group_members WHERE user_id = $1))
       UNION ALL
       SELECT DISTINCT 'attached', a.policy_arn, v.document FROM policy_attachments a
         LEFT JOIN managed_policies p ON p.arn = a.policy_arn
         LEFT JOIN policy_versions v ON v.policy_arn = p.arn AND v.version = p.default_version
         WHERE (a.owner_kind = 'user' AND a.owner_id = $1)
            OR (a.owner_kind = 'group' AND a.owner_id IN (SELECT group_id FROM group_members WHERE user_id = $1))
       UNION ALL
       SELECT 'boundary', u.permissions_boundary, v.document FROM users u
         LEFT JOIN managed_policies p ON p.arn = u.permissions_boundary
         LEFT JOIN policy_versions v ON v.policy_arn = p.arn AND v.version = p.default_version
         WHERE u.id = $1 AND u.permissions_boundary IS NOT NULL`,
      [userId],
    );
    const set: PolicySet = { inline: [], attachedArns: [], boundaryArn: null, customerDocuments: new Map() };
    for (const r of rows) {
      if (r.part === 'inline') {
        set.inline.push({ id: r.ref, document: r.document! });
        continue;
      }
      if (r.part === 'attached') set.attachedArns.push(r.ref);
      else set.boundaryArn = r.ref;
      if (r.document !== null) set.customerDocuments.set(r.ref, r.document);
    }
    return set;
  }
}

export class PostgresCredentialReports implements CredentialReportRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get() {
    const { rows } = await this.pool.query<{ generated_at: number; content: Buffer }>('SELECT * FROM credential_reports WHERE id = 1');
    const row = rows[0];
    return row && { generatedAt: new Date(row.generated_at), content: row.content };
  }

  async put(generatedAt: Date, content: Buffer): Promise<void> {
    await this.pool.query(
      `INSERT INTO credential_reports (id, generated_at, content) VALUES (1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET generated_at = excluded.generated_at, content = excluded.content`,
      [generatedAt.getTime(), content],
    );
  }
}
