import { createHash } from 'node:crypto';
import type { InstanceProfile, Role, Tag, TrustPrincipalIds } from '../../domain/entities.js';
import type { InstanceProfileBlocker, InstanceProfileRepository, RoleBlocker, RoleRepository } from '../../ports/store.js';
import { managedPolicyExists, NamedEntities, type NamedRow, type NamedTable, roomInQuota, setBoundary } from './named.js';
import { all, fold, groupBy, one, run, type Sql } from './sql.js';
import { upsertTags } from './tags.js';

export interface RoleRow extends NamedRow {
  description: string | null;
  max_session_duration: number;
  trust_policy: string;
  /** JSON, and the digest of the trust policy it was resolved for (schema.ts, version 12). */
  trust_principal_ids: string | null;
  trust_principals_for: string | null;
  permissions_boundary: string | null;
  last_used_at: number | null;
  last_used_region: string | null;
  linked_service: string | null;
}

/** The trust policy's digest, to know the ids recorded are for it (schema.ts, version 12). */
const digest = (trustPolicy: string) => createHash('sha256').update(trustPolicy).digest('hex');

/** The principal ids as recorded for the role's trust policy: none (null) when recorded for no policy or another. */
function principalIdsOf(r: RoleRow): TrustPrincipalIds | null {
  if (r.trust_principal_ids === null || r.trust_principals_for !== digest(r.trust_policy)) return null;
  return JSON.parse(r.trust_principal_ids) as TrustPrincipalIds;
}

/** The two columns for a trust policy's ids. */
const idsColumns = (trustPolicy: string, ids: TrustPrincipalIds | null): [string | null, string | null] =>
  ids === null ? [null, null] : [JSON.stringify(ids), digest(trustPolicy)];

export const ROLES: NamedTable<RoleBlocker> = {
  table: 'roles',
  taggable: true,
  // AWS's order: instance profiles, then inline policies, then attached policies.
  blockers: [
    ['in-instance-profiles', 'SELECT 1 FROM instance_profile_roles WHERE role_id = ?'],
    ['has-inline-policies', 'SELECT 1 FROM inline_policies WHERE owner_id = ?'],
    ['has-attached-policies', 'SELECT 1 FROM policy_attachments WHERE owner_id = ?'],
  ],
  cascade: ['DELETE FROM service_last_accessed WHERE principal_id = ?'],
};

const toRole = (r: RoleRow, tags: Tag[]): Role => ({
  id: r.id,
  name: r.name,
  path: r.path,
  createdAt: new Date(r.created_at),
  description: r.description,
  maxSessionDuration: r.max_session_duration,
  trustPolicy: r.trust_policy,
  trustPrincipalIds: principalIdsOf(r),
  permissionsBoundary: r.permissions_boundary,
  tags,
  lastUsed: r.last_used_at === null ? null : { at: new Date(r.last_used_at), region: r.last_used_region ?? 'us-east-1' },
  linkedService: r.linked_service,
});

export class SqlRoles extends NamedEntities<RoleRow, Role, RoleBlocker> implements RoleRepository {
  constructor(sql: Sql) {
    super(sql, ROLES);
  }

  protected toEntity(row: RoleRow, tags: Tag[]): Role {
    return toRole(row, tags);
  }

  /** Roles from rows another query found (an instance profile's), with their tags. */
  withTags(rows: RoleRow[]): Promise<Role[]> {
    return this.entities(rows);
  }

  async create(role: Role, boundaryMustExist = false, maxCount?: number): Promise<'ok' | 'exists' | 'no-policy' | 'quota'> {
    return this.sql.transaction(function* () {
      if (!(yield* roomInQuota('roles', fold(role.name), maxCount))) return 'quota' as const;
      if (boundaryMustExist && !(yield* managedPolicyExists(role.permissionsBoundary))) return 'no-policy' as const;
      const inserted = yield* run(
        `INSERT INTO roles (id, name, name_key, path, created_at, description, max_session_duration, trust_policy,
                            trust_principal_ids, trust_principals_for, permissions_boundary, linked_service)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          role.id,
          role.name,
          fold(role.name),
          role.path,
          role.createdAt.getTime(),
          role.description,
          role.maxSessionDuration,
          role.trustPolicy,
          ...idsColumns(role.trustPolicy, role.trustPrincipalIds),
          role.permissionsBoundary,
          role.linkedService,
        ],
      );
      if (inserted !== 1) return 'exists' as const;
      yield* upsertTags(role.id, role.tags, Number.MAX_SAFE_INTEGER);
      return 'ok' as const;
    });
  }

  async updateRole(
    name: string,
    change: { description?: string; maxSessionDuration?: number; trust?: { policy: string; principalIds: TrustPrincipalIds } },
  ): Promise<'missing' | 'ok'> {
    const self = this;
    return this.sql.transaction(function* () {
      const row = yield* self.locked(name);
      if (!row) return 'missing' as const;
      const trust = change.trust
        ? [change.trust.policy, ...idsColumns(change.trust.policy, change.trust.principalIds)]
        : [row.trust_policy, row.trust_principal_ids, row.trust_principals_for];
      yield* run(
        'UPDATE roles SET description = ?, max_session_duration = ?, trust_policy = ?, trust_principal_ids = ?, trust_principals_for = ? WHERE id = ?',
        [change.description ?? row.description, change.maxSessionDuration ?? row.max_session_duration, ...trust, row.id],
      );
      return 'ok' as const;
    });
  }

  async recordTrustPrincipalIds(roleId: string, trustPolicy: string, ids: TrustPrincipalIds): Promise<void> {
    // Only while the policy is still the one resolved and has no ids of its own: an
    // UpdateAssumeRolePolicy in between has recorded its own.
    const [json, forPolicy] = idsColumns(trustPolicy, ids);
    await this.sql.run(
      "UPDATE roles SET trust_principal_ids = ?, trust_principals_for = ? WHERE id = ? AND trust_policy = ? AND COALESCE(trust_principals_for, '') <> ?",
      [json, forPolicy, roleId, trustPolicy, forPolicy],
    );
  }

  async principalsById(ids: readonly string[]): Promise<Map<string, { kind: 'user' | 'role'; path: string; name: string }>> {
    const found = new Map<string, { kind: 'user' | 'role'; path: string; name: string }>();
    if (ids.length === 0) return found;
    for (const kind of ['user', 'role'] as const) {
      const rows = await this.sql.all<{ id: string; path: string; name: string }>(`SELECT id, path, name FROM ${kind}s WHERE id = ANY(?)`, [ids]);
      for (const r of rows) found.set(r.id, { kind, path: r.path, name: r.name });
    }
    return found;
  }

  async recordUse(roleId: string, at: Date, region: string): Promise<void> {
    await this.sql.run('UPDATE roles SET last_used_at = ?, last_used_region = ? WHERE id = ?', [at.getTime(), region, roleId]);
  }

  setPermissionsBoundary(name: string, policyArn: string | null, policyMustExist = false) {
    return setBoundary(this.sql, 'roles', name, policyArn, policyMustExist);
  }
}

export const INSTANCE_PROFILES: NamedTable<InstanceProfileBlocker> = {
  table: 'instance_profiles',
  taggable: true,
  blockers: [['has-role', 'SELECT 1 FROM instance_profile_roles WHERE profile_id = ?']],
};

type ProfileEntity = Omit<InstanceProfile, 'roles'> & { roles?: Role[] };

export class SqlInstanceProfiles extends NamedEntities<NamedRow, InstanceProfile, InstanceProfileBlocker> implements InstanceProfileRepository {
  constructor(
    sql: Sql,
    private readonly roles: SqlRoles,
  ) {
    super(sql, INSTANCE_PROFILES);
  }

  protected toEntity(r: NamedRow, tags: Tag[]): InstanceProfile {
    const profile: ProfileEntity = { id: r.id, name: r.name, path: r.path, createdAt: new Date(r.created_at), tags };
    return profile as InstanceProfile; // roles are added by withRoles
  }

  /** Each profile's role embedded, as AWS returns it: one query for all the roles of the list. */
  private async withRoles(profiles: InstanceProfile[]): Promise<InstanceProfile[]> {
    if (profiles.length === 0) return profiles;
    const rows = await this.sql.all<RoleRow & { profile_id: string }>(
      `SELECT r.*, p.profile_id FROM instance_profile_roles p JOIN roles r ON r.id = p.role_id
       WHERE p.profile_id = ANY(?) ORDER BY r.name_key`,
      [profiles.map((p) => p.id)],
    );
    const roles = await this.roles.withTags(rows);
    for (const profile of profiles) profile.roles = roles.filter((_, i) => rows[i]!.profile_id === profile.id);
    return profiles;
  }

  protected override async entities(rows: NamedRow[]): Promise<InstanceProfile[]> {
    return this.withRoles(await super.entities(rows));
  }

  protected override async entity(row: NamedRow | undefined): Promise<InstanceProfile | undefined> {
    const profile = await super.entity(row);
    return profile && (await this.withRoles([profile]))[0];
  }

  async create(p: InstanceProfile, maxCount?: number): Promise<boolean | 'quota'> {
    return this.sql.transaction(function* () {
      if (!(yield* roomInQuota('instance_profiles', fold(p.name), maxCount))) return 'quota' as const;
      const inserted = yield* run(
        'INSERT INTO instance_profiles (id, name, name_key, path, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [p.id, p.name, fold(p.name), p.path, p.createdAt.getTime()],
      );
      if (inserted !== 1) return false;
      yield* upsertTags(p.id, p.tags, Number.MAX_SAFE_INTEGER);
      return true;
    });
  }

  async addRole(profileName: string, roleName: string, maxRoles: number) {
    const self = this;
    return this.sql.transaction(function* () {
      const profile = yield* self.locked(profileName);
      if (!profile) return 'no-profile' as const;
      const role = yield* self.roles.locked(roleName, 'SHARE');
      if (!role) return 'no-role' as const;
      const present = yield* all<{ role_id: string }>('SELECT role_id FROM instance_profile_roles WHERE profile_id = ?', [profile.id]);
      if (present.some((p) => p.role_id === role.id)) return 'exists' as const;
      if (present.length >= maxRoles) return 'limit' as const;
      yield* run('INSERT INTO instance_profile_roles (profile_id, role_id) VALUES (?, ?)', [profile.id, role.id]);
      return 'ok' as const;
    });
  }

  async removeRole(profileName: string, roleName: string) {
    const self = this;
    return this.sql.transaction(function* () {
      const profile = yield* self.locked(profileName);
      if (!profile) return 'no-profile' as const;
      const role = yield* one<{ id: string }>('SELECT id FROM roles WHERE name_key = ?', [fold(roleName)]);
      if (!role) return 'no-role' as const;
      const removed = yield* run('DELETE FROM instance_profile_roles WHERE profile_id = ? AND role_id = ?', [profile.id, role.id]);
      return removed === 1 ? ('ok' as const) : ('not-in-profile' as const);
    });
  }

  async forRole(roleId: string): Promise<InstanceProfile[]> {
    const rows = await this.sql.all<NamedRow>(
      `SELECT p.* FROM instance_profiles p JOIN instance_profile_roles r ON r.profile_id = p.id
       WHERE r.role_id = ? ORDER BY p.name_key`,
      [roleId],
    );
    return this.entities(rows);
  }

  async forRoles(roleIds: readonly string[]): Promise<Map<string, InstanceProfile[]>> {
    if (roleIds.length === 0) return new Map();
    const rows = await this.sql.all<NamedRow & { role_id: string }>(
      `SELECT p.*, r.role_id FROM instance_profiles p JOIN instance_profile_roles r ON r.profile_id = p.id
       WHERE r.role_id = ANY(?) ORDER BY p.name_key`,
      [roleIds],
    );
    const profiles = await this.entities(rows);
    return groupBy(
      rows.map((row, i) => ({ roleId: row.role_id, profile: profiles[i]! })),
      (r) => r.roleId,
      (r) => r.profile,
    );
  }
}
