import type { Tag, User } from '../../domain/entities.js';
import type { UserBlocker, UserRepository } from '../../ports/store.js';
import { managedPolicyExists, NamedEntities, type NamedRow, type NamedTable, roomInQuota, setBoundary } from './named.js';
import { fold, run, type Sql } from './sql.js';
import { upsertTags } from './tags.js';

export interface UserRow extends NamedRow {
  password_last_used: number | null;
  permissions_boundary: string | null;
}

export const USERS: NamedTable<UserBlocker> = {
  table: 'users',
  taggable: true,
  // The order in which AWS reports what still hangs off a user (the order DeleteUser's reference
  // lists them in: password, access keys, signing certificates, SSH keys, service-specific
  // credentials, inline policies, attached policies, groups).
  blockers: [
    ['has-login-profile', 'SELECT 1 FROM login_profiles WHERE user_id = ?'],
    ['has-access-keys', 'SELECT 1 FROM access_keys WHERE user_id = ?'],
    ['has-signing-certificates', 'SELECT 1 FROM signing_certificates WHERE user_id = ?'],
    ['has-ssh-public-keys', 'SELECT 1 FROM ssh_public_keys WHERE user_id = ?'],
    ['has-service-specific-credentials', 'SELECT 1 FROM service_specific_credentials WHERE user_id = ?'],
    ['has-mfa-devices', 'SELECT 1 FROM mfa_devices WHERE user_id = ?'],
    ['has-inline-policies', 'SELECT 1 FROM inline_policies WHERE owner_id = ?'],
    ['has-attached-policies', 'SELECT 1 FROM policy_attachments WHERE owner_id = ?'],
    ['in-groups', 'SELECT 1 FROM group_members WHERE user_id = ?'],
  ],
  // Password history and console sessions go with the user through their foreign keys.
  cascade: ['DELETE FROM service_last_accessed WHERE principal_id = ?'],
};

export const toUser = (row: UserRow, tags: Tag[]): User => ({
  id: row.id,
  name: row.name,
  path: row.path,
  createdAt: new Date(row.created_at),
  passwordLastUsed: row.password_last_used === null ? null : new Date(row.password_last_used),
  tags,
  permissionsBoundary: row.permissions_boundary,
});

export class SqlUsers extends NamedEntities<UserRow, User, UserBlocker> implements UserRepository {
  constructor(sql: Sql) {
    super(sql, USERS);
  }

  protected toEntity(row: UserRow, tags: Tag[]): User {
    return toUser(row, tags);
  }

  /** Users from rows another query found (a group's members), with their tags. */
  withTags(rows: UserRow[]): Promise<User[]> {
    return this.entities(rows);
  }

  async create(user: User, boundaryMustExist = false, maxCount?: number): Promise<'ok' | 'exists' | 'no-policy' | 'quota'> {
    return this.sql.transaction(function* () {
      if (!(yield* roomInQuota('users', fold(user.name), maxCount))) return 'quota' as const;
      if (boundaryMustExist && !(yield* managedPolicyExists(user.permissionsBoundary))) return 'no-policy' as const;
      const inserted = yield* run(
        `INSERT INTO users (id, name, name_key, path, created_at, password_last_used, permissions_boundary)
         VALUES (?, ?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING`,
        [user.id, user.name, fold(user.name), user.path, user.createdAt.getTime(), user.permissionsBoundary],
      );
      if (inserted !== 1) return 'exists' as const;
      yield* upsertTags(user.id, user.tags, Number.MAX_SAFE_INTEGER);
      return 'ok' as const;
    });
  }

  async recordPasswordUse(userId: string, at: Date): Promise<void> {
    await this.sql.run('UPDATE users SET password_last_used = ? WHERE id = ?', [at.getTime(), userId]);
  }

  setPermissionsBoundary(name: string, policyArn: string | null, policyMustExist = false) {
    return setBoundary(this.sql, 'users', name, policyArn, policyMustExist);
  }
}
