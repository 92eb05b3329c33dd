import type { Group, User } from './entities.js';
import { accountQuotas, type Domain, requireUser } from './context.js';
import { accountQuotaExceeded, groupsPerUserExceeded, MAX_GROUPS_PER_USER } from './quotas.js';
import { errors, IamError } from './errors.js';
import { listByPath } from './paging.js';

export const noSuchGroup = errors.noSuchGroup;

export async function requireGroup(domain: Domain, name: string): Promise<Group> {
  const group = await domain.store.groups.getByName(name);
  if (!group) throw noSuchGroup(name);
  return group;
}

export async function createGroup(domain: Domain, input: { GroupName: string; Path?: string }): Promise<Group> {
  const group: Group = { id: domain.ids.groupId(), name: input.GroupName, path: input.Path ?? '/', createdAt: domain.clock.now() };
  const quota = accountQuotas(domain).GroupsQuota;
  const created = await domain.store.groups.create(group, quota);
  if (created === 'quota') throw accountQuotaExceeded('GroupsQuota', quota);
  if (!created) throw new IamError('EntityAlreadyExists', `Group with name ${input.GroupName} already exists.`);
  return group;
}

export async function getGroup(domain: Domain, name: string): Promise<{ group: Group; users: User[] }> {
  const group = await requireGroup(domain, name);
  return { group, users: await domain.store.groups.members(group.id) };
}

export async function listGroups(
  domain: Domain,
  input: { PathPrefix?: string; Marker?: string; MaxItems?: number },
): Promise<{ items: Group[]; nextMarker?: string }> {
  return listByPath(domain.store.groups, input);
}

export async function updateGroup(domain: Domain, input: { GroupName: string; NewGroupName?: string; NewPath?: string }): Promise<void> {
  const result = await domain.store.groups.update(input.GroupName, { newName: input.NewGroupName, newPath: input.NewPath });
  if (result === 'missing') throw noSuchGroup(input.GroupName);
  if (result === 'name-taken') throw new IamError('EntityAlreadyExists', `Group with name ${input.NewGroupName} already exists.`);
}

export async function deleteGroup(domain: Domain, name: string): Promise<void> {
  const result = await domain.store.groups.delete(name);
  if (result === 'missing') throw noSuchGroup(name);
  if (result === 'has-members') throw new IamError('DeleteConflict', 'Cannot delete entity, must remove users from group first.');
  if (result === 'has-inline-policies') throw new IamError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
  if (result === 'has-attached-policies') throw new IamError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
}

// AWS names the user first when neither the user nor the group exists.

export async function addUserToGroup(domain: Domain, groupName: string, userName: string): Promise<void> {
  const user = await requireUser(domain, userName);
  const group = await requireGroup(domain, groupName);
  const added = await domain.store.groups.addMember(group.id, user.id, MAX_GROUPS_PER_USER);
  if (added === 'quota') throw groupsPerUserExceeded();
  if (!added) {
    // Deleted meanwhile: report whichever is gone.
    await requireUser(domain, userName);
    await requireGroup(domain, groupName);
  }
}

/** Removing a user who is not a member succeeds, as AWS answers it (recorded: 200, no error). */
export async function removeUserFromGroup(domain: Domain, groupName: string, userName: string): Promise<void> {
  const user = await requireUser(domain, userName);
  const group = await requireGroup(domain, groupName);
  await domain.store.groups.removeMember(group.id, user.id);
}

export async function listGroupsForUser(domain: Domain, userName: string): Promise<Group[]> {
  const user = await requireUser(domain, userName);
  return domain.store.groups.groupsOf(user.id);
}
