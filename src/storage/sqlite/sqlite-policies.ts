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
import { type Db, managedPolicyExists, type SqliteUsers, type UserRow } from './sqlite-store.js';

/** Groups, policies (managed, inline, attachments), what the authorizer reads, credential reports. */

interface GroupRow {
  id: string;
  name: string;
  path: string;
  created_at: number;
}
const toGroup = (r: GroupRow): Group => ({ id: r.id, name: r.name, path: r.path, createdAt: new Date(r.created_at) });

export class SqliteGroups implements GroupRepository {
  constructor(
    private readonly db: Db,
    private readonly users: SqliteUsers,
  ) {}

  async create(g: Group): Promise<boolean> {
    return (
      this.db
        .prepare('INSERT INTO groups (id, name, path, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
        .run(g.id, g.name, g.path, g.createdAt.getTime()).changes === 1
    );
  }

  async getByName(name: string): Promise<Group | undefined> {
    const row = this.db.prepare<[string], GroupRow>('SELECT * FROM groups WHERE name = ?').get(name);
    return row && toGroup(row);
  }

  async list(options: { pathPrefix: string; marker?: string; maxItems: number }): Promise<ListPage<Group>> {
    const rows = this.db
      .prepare<[{ prefix: string; marker: string | null; limit: number }], GroupRow>(
        `SELECT * FROM groups WHERE substr(path, 1, length(@prefix)) = @prefix AND name > coalesce(@marker, '')
         ORDER BY name LIMIT @limit`,
      )
      .all({ prefix: options.pathPrefix, marker: options.marker ?? null, limit: options.maxItems + 1 });
    const items = rows.slice(0, options.maxItems).map(toGroup);
    return rows.length > options.maxItems ? { items, nextMarker: items[items.length - 1]!.name } : { items };
  }

  async delete(name: string) {
    return this.db
      .transaction(() => {
        const row = this.db.prepare<[string], GroupRow>('SELECT * FROM groups WHERE name = ?').get(name);
        if (!row) return 'missing' as const;
        const has = (sql: string) => this.db.prepare(sql).get(row.id) !== undefined;
        if (has('SELECT 1 FROM group_members WHERE group_id = ?')) return 'has-members' as const;
        if (has("SELECT 1 FROM inline_policies WHERE owner_kind = 'group' AND owner_id = ?")) return 'has-inline-policies' as const;
        if (has("SELECT 1 FROM policy_attachments WHERE owner_kind = 'group' AND owner_id = ?")) return 'has-attached-policies' as const;
        this.db.prepare('DELETE FROM groups WHERE id = ?').run(row.id);
        return 'ok' as const;
      })
      .immediate();
  }

  async addMember(groupId: string, userId: string): Promise<boolean> {
    // Inserts only while both still exist (a racing DeleteUser/DeleteGroup must not become a 500).
    this.db
      .prepare(
        `INSERT INTO group_members (group_id, user_id)
         SELECT @groupId, @userId WHERE EXISTS (SELECT 1 FROM groups WHERE id = @groupId) AND EXISTS (SELECT 1 FROM users WHERE id = @userId)
         ON CONFLICT DO NOTHING`,
      )
      .run({ groupId, userId });
    return this.db.prepare('SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?').get(groupId, userId) !== undefined;
  }

  async removeMember(groupId: string, userId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM group_members WHERE group_id = ? AND user_id = ?').run(groupId, userId).changes === 1;
  }

  async members(groupId: string): Promise<User[]> {
    const rows = this.db
      .prepare<[string], UserRow>('SELECT u.* FROM users u JOIN group_members m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.name')
      .all(groupId);
    return this.users.toUsers(rows);
  }

  async groupsOf(userId: string): Promise<Group[]> {
    return this.db
      .prepare<[string], GroupRow>('SELECT g.* FROM groups g JOIN group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name')
      .all(userId)
      .map(toGroup);
  }

  async count(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM groups').get() as { n: number }).n;
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

export class SqliteManagedPolicies implements ManagedPolicyRepository {
  constructor(private readonly db: Db) {}

  async create(p: ManagedPolicy, document: string): Promise<boolean> {
    return this.db
      .transaction(() => {
        const inserted =
          this.db
            .prepare(
              `INSERT INTO managed_policies (arn, id, name, path, description, default_version, next_version, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, 1, 2, ?, ?) ON CONFLICT DO NOTHING`,
            )
            .run(p.arn, p.id, p.name, p.path, p.description, p.createdAt.getTime(), p.updatedAt.getTime()).changes === 1;
        if (inserted) {
          this.db.prepare('INSERT INTO policy_versions (policy_arn, version, document, created_at) VALUES (?, 1, ?, ?)').run(p.arn, document, p.createdAt.getTime());
        }
        return inserted;
      })
      .immediate();
  }

  async get(arn: string): Promise<ManagedPolicy | undefined> {
    const row = this.db.prepare<[string], PolicyRow>(`${POLICY_SELECT} WHERE p.arn = ?`).get(arn);
    return row && toPolicy(row);
  }

  async list(options: { pathPrefix: string; onlyAttached: boolean }): Promise<ManagedPolicy[]> {
    return this.db
      .prepare<[{ prefix: string }], PolicyRow>(`${POLICY_SELECT} WHERE substr(p.path, 1, length(@prefix)) = @prefix ORDER BY p.name`)
      .all({ prefix: options.pathPrefix })
      .map(toPolicy)
      .filter((p) => !options.onlyAttached || p.attachmentCount > 0);
  }

  async delete(arn: string) {
    return this.db
      .transaction(() => {
        const row = this.db.prepare<[string], PolicyRow>(`${POLICY_SELECT} WHERE p.arn = ?`).get(arn);
        if (!row) return 'missing' as const;
        if (row.attachment_count > 0 || row.boundary_count > 0) return 'attached' as const;
        const { n } = this.db.prepare('SELECT count(*) AS n FROM policy_versions WHERE policy_arn = ?').get(arn) as { n: number };
        if (n > 1) return 'has-versions' as const;
        this.db.prepare('DELETE FROM managed_policies WHERE arn = ?').run(arn);
        return 'ok' as const;
      })
      .immediate();
  }

  async createVersion(arn: string, document: string, setAsDefault: boolean, at: Date, maxVersions: number) {
    return this.db
      .transaction((): 'missing' | 'limit' | PolicyVersion => {
        const row = this.db.prepare<[string], { next_version: number }>('SELECT next_version FROM managed_policies WHERE arn = ?').get(arn);
        if (!row) return 'missing';
        const { n } = this.db.prepare('SELECT count(*) AS n FROM policy_versions WHERE policy_arn = ?').get(arn) as { n: number };
        if (n >= maxVersions) return 'limit';
        const version = row.next_version;
        this.db.prepare('INSERT INTO policy_versions (policy_arn, version, document, created_at) VALUES (?, ?, ?, ?)').run(arn, version, document, at.getTime());
        this.db
          .prepare(
            `UPDATE managed_policies SET next_version = next_version + 1, updated_at = ?,
               default_version = CASE WHEN ? THEN ? ELSE default_version END WHERE arn = ?`,
          )
          .run(at.getTime(), setAsDefault ? 1 : 0, version, arn);
        return { version, document, createdAt: at };
      })
      .immediate();
  }

  async getVersion(arn: string, version: number): Promise<PolicyVersion | undefined> {
    const row = this.db.prepare<[string, number], VersionRow>('SELECT * FROM policy_versions WHERE policy_arn = ? AND version = ?').get(arn, version);
    return row && toVersion(row);
  }

  async listVersions(arn: string): Promise<PolicyVersion[]> {
    return this.db
      .prepare<[string], VersionRow>('SELECT * FROM policy_versions WHERE policy_arn = ? ORDER BY version DESC')
      .all(arn)
      .map(toVersion);
  }

  async deleteVersion(arn: string, version: number) {
    return this.db
      .transaction(() => {
        const p = this.db.prepare<[string], { default_version: number }>('SELECT default_version FROM managed_policies WHERE arn = ?').get(arn);
        if (!p) return 'missing' as const;
        if (p.default_version === version) return 'default' as const;
        const deleted = this.db.prepare('DELETE FROM policy_versions WHERE policy_arn = ? AND version = ?').run(arn, version).changes === 1;
        return deleted ? ('ok' as const) : ('missing' as const);
      })
      .immediate();
  }

  async setDefaultVersion(arn: string, version: number, at: Date) {
    return this.db
      .transaction(() => {
        if (!this.db.prepare('SELECT 1 FROM policy_versions WHERE policy_arn = ? AND version = ?').get(arn, version)) return 'missing' as const;
        this.db.prepare('UPDATE managed_policies SET default_version = ?, updated_at = ? WHERE arn = ?').run(version, at.getTime(), arn);
        return 'ok' as const;
      })
      .immediate();
  }

  async count(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM managed_policies').get() as { n: number }).n;
  }
}

export class SqliteInlinePolicies implements InlinePolicyRepository {
  constructor(private readonly db: Db) {}

  async put(owner: PolicyOwner, name: string, document: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO inline_policies (owner_kind, owner_id, name, document) VALUES (?, ?, ?, ?)
         ON CONFLICT (owner_kind, owner_id, name) DO UPDATE SET name = excluded.name, document = excluded.document`,
      )
      .run(owner.kind, owner.id, name, document);
  }

  async get(owner: PolicyOwner, name: string) {
    return this.db
      .prepare<[string, string, string], { name: string; document: string }>(
        'SELECT name, document FROM inline_policies WHERE owner_kind = ? AND owner_id = ? AND name = ?',
      )
      .get(owner.kind, owner.id, name);
  }

  async delete(owner: PolicyOwner, name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM inline_policies WHERE owner_kind = ? AND owner_id = ? AND name = ?').run(owner.kind, owner.id, name).changes === 1;
  }

  async list(owner: PolicyOwner) {
    return this.db
      .prepare<[string, string], { name: string; document: string }>(
        'SELECT name, document FROM inline_policies WHERE owner_kind = ? AND owner_id = ? ORDER BY name',
      )
      .all(owner.kind, owner.id);
  }
}

export class SqliteAttachments implements AttachmentRepository {
  constructor(private readonly db: Db) {}

  async attach(owner: PolicyOwner, policyArn: string, maxAttached: number, policyMustExist = false): Promise<'ok' | 'limit' | 'missing'> {
    return this.db
      .transaction(() => {
        if (policyMustExist && !managedPolicyExists(this.db, policyArn)) return 'missing' as const;
        const exists = this.db
          .prepare('SELECT 1 FROM policy_attachments WHERE owner_kind = ? AND owner_id = ? AND policy_arn = ?')
          .get(owner.kind, owner.id, policyArn);
        if (exists) return 'ok' as const;
        const { n } = this.db.prepare('SELECT count(*) AS n FROM policy_attachments WHERE owner_kind = ? AND owner_id = ?').get(owner.kind, owner.id) as { n: number };
        if (n >= maxAttached) return 'limit' as const;
        this.db.prepare('INSERT INTO policy_attachments (owner_kind, owner_id, policy_arn) VALUES (?, ?, ?)').run(owner.kind, owner.id, policyArn);
        return 'ok' as const;
      })
      .immediate();
  }

  async detach(owner: PolicyOwner, policyArn: string): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM policy_attachments WHERE owner_kind = ? AND owner_id = ? AND policy_arn = ?').run(owner.kind, owner.id, policyArn)
        .changes === 1
    );
  }

  async list(owner: PolicyOwner): Promise<string[]> {
    return this.db
      .prepare<[string, string], { policy_arn: string }>('SELECT policy_arn FROM policy_attachments WHERE owner_kind = ? AND owner_id = ? ORDER BY rowid')
      .all(owner.kind, owner.id)
      .map((r) => r.policy_arn);
  }

  async countFor(policyArn: string): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM policy_attachments WHERE policy_arn = ?').get(policyArn) as { n: number }).n;
  }
}

export class SqliteAuthorization implements AuthorizationRepository {
  private readonly inline;
  private readonly attached;
  private readonly boundary;

  constructor(db: Db) {
    // The user's own policies and those of its groups, each in one query.
    this.inline = db.prepare<[{ userId: string }], { owner_kind: string; owner_id: string; name: string; document: string }>(
      `SELECT owner_kind, owner_id, name, document FROM inline_policies
       WHERE (owner_kind = 'user' AND owner_id = @userId)
          OR (owner_kind = 'group' AND owner_id IN (SELECT group_id FROM group_members WHERE user_id = @userId))`,
    );
    this.attached = db.prepare<[{ userId: string }], { policy_arn: string; document: string | null }>(
      `SELECT DISTINCT a.policy_arn, v.document FROM policy_attachments a
       LEFT JOIN managed_policies p ON p.arn = a.policy_arn
       LEFT JOIN policy_versions v ON v.policy_arn = p.arn AND v.version = p.default_version
       WHERE (a.owner_kind = 'user' AND a.owner_id = @userId)
          OR (a.owner_kind = 'group' AND a.owner_id IN (SELECT group_id FROM group_members WHERE user_id = @userId))`,
    );
    this.boundary = db.prepare<[{ userId: string }], { policy_arn: string; document: string | null }>(
      `SELECT u.permissions_boundary AS policy_arn, v.document FROM users u
       LEFT JOIN managed_policies p ON p.arn = u.permissions_boundary
       LEFT JOIN policy_versions v ON v.policy_arn = p.arn AND v.version = p.default_version
       WHERE u.id = @userId AND u.permissions_boundary IS NOT NULL`,
    );
  }

  async policiesFor(userId: string): Promise<PolicySet> {
    const inline = this.inline.all({ userId }).map((r) => ({ id: `${r.owner_kind}:${r.owner_id}:${r.name}`, document: r.document }));
    const customerDocuments = new Map<string, string>();
    const attachedArns: string[] = [];
    for (const r of this.attached.all({ userId })) {
      attachedArns.push(r.policy_arn);
      if (r.document !== null) customerDocuments.set(r.policy_arn, r.document);
    }
    const boundary = this.boundary.get({ userId });
    if (boundary?.document) customerDocuments.set(boundary.policy_arn, boundary.document);
    return { inline, attachedArns, boundaryArn: boundary?.policy_arn ?? null, customerDocuments };
  }
}

export class SqliteCredentialReports implements CredentialReportRepository {
  constructor(private readonly db: Db) {}

  async get() {
    const row = this.db.prepare<[], { generated_at: number; content: Buffer }>('SELECT * FROM credential_reports WHERE id = 1').get();
    return row && { generatedAt: new Date(row.generated_at), content: row.content };
  }

  async put(generatedAt: Date, content: Buffer): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO credential_reports (id, generated_at, content) VALUES (1, ?, ?)').run(generatedAt.getTime(), content);
  }
}
