import type { Group } from '../../domain/entities.js';
import type { GroupBlocker, GroupRepository } from '../../ports/store.js';
import { NamedEntities, type NamedRow, type NamedTable, roomInQuota } from './named.js';
import { all, fold, groupBy, one, run, type Sql } from './sql.js';
import type { SqlUsers, UserRow } from './users.js';

export const GROUPS: NamedTable<GroupBlocker> = {
  table: 'groups',
  taggable: false, // IAM groups have no tags
  blockers: [
    ['has-members', 'SELECT 1 FROM group_members WHERE group_id = ?'],
    ['has-inline-policies', 'SELECT 1 FROM inline_policies WHERE owner_id = ?'],
    ['has-attached-policies', 'SELECT 1 FROM policy_attachments WHERE owner_id = ?'],
  ],
};

export class SqlGroups extends NamedEntities<NamedRow, Group, GroupBlocker> implements GroupRepository {
  constructor(
    sql: Sql,
    private readonly users: SqlUsers,
  ) {
    super(sql, GROUPS);
  }

  protected toEntity(r: NamedRow): Group {
    return { id: r.id, name: r.name, path: r.path, createdAt: new Date(r.created_at) };
  }

  async create(g: Group, maxCount?: number): Promise<boolean | 'quota'> {
    return this.sql.transaction(function* () {
      if (!(yield* roomInQuota('groups', fold(g.name), maxCount))) return 'quota' as const;
      const inserted = yield* run(
        'INSERT INTO groups (id, name, name_key, path, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [g.id, g.name, fold(g.name), g.path, g.createdAt.getTime()],
      );
      return inserted === 1;
    });
  }

  async addMember(groupId: string, userId: string, maxGroupsPerUser?: number): Promise<boolean | 'quota'> {
    // Inserts only while both still exist, locked against a racing DeleteUser/DeleteGroup; with a
    // quota, the user's row is locked for update, so two nodes cannot both count below it.
    return this.sql.transaction(function* () {
      const group = yield* one('SELECT 1 FROM groups WHERE id = ? FOR SHARE', [groupId]);
      const user = yield* one(`SELECT 1 FROM users WHERE id = ? FOR ${maxGroupsPerUser === undefined ? 'SHARE' : 'UPDATE'}`, [userId]);
      if (!group || !user) return false;
      if (maxGroupsPerUser !== undefined) {
        const memberships = yield* all<{ group_id: string }>('SELECT group_id FROM group_members WHERE user_id = ?', [userId]);
        // Adding again is not an error, and not one more.
        if (!memberships.some((m) => m.group_id === groupId) && memberships.length >= maxGroupsPerUser) return 'quota' as const;
      }
      yield* run('INSERT INTO group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [groupId, userId]);
      return true;
    });
  }

  async removeMember(groupId: string, userId: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM group_members WHERE group_id = ? AND user_id = ?', [groupId, userId])) === 1;
  }

  async members(groupId: string) {
    const rows = await this.sql.all<UserRow>(
      'SELECT u.* FROM users u JOIN group_members m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.name_key',
      [groupId],
    );
    return this.users.withTags(rows);
  }

  async groupsOf(userId: string): Promise<Group[]> {
    const rows = await this.sql.all<NamedRow>(
      'SELECT g.* FROM groups g JOIN group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name_key',
      [userId],
    );
    return this.entities(rows);
  }

  async groupsOfMany(userIds: readonly string[]): Promise<Map<string, Group[]>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.sql.all<NamedRow & { user_id: string }>(
      'SELECT g.*, m.user_id FROM groups g JOIN group_members m ON m.group_id = g.id WHERE m.user_id = ANY(?) ORDER BY g.name_key',
      [userIds],
    );
    return groupBy(
      rows,
      (r) => r.user_id,
      (r) => this.toEntity(r),
    );
  }
}
