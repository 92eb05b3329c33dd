import type { Caller, Tag, User } from './entities.js';
import { accountQuotas, type Domain, requireUser, targetUserName } from './context.js';
import { accountQuotaExceeded } from './quotas.js';
import { errors } from './errors.js';
import { checkNewTags, tagPage, tagResource, untagResource } from './tags.js';
import type { ListPage } from '../ports/store.js';
import { noSuchBoundary, requireBoundaryPolicy } from './policies.js';
import { listByPath } from './paging.js';

export async function createUser(
  domain: Domain,
  input: { UserName: string; Path?: string; Tags?: Tag[]; PermissionsBoundary?: string },
): Promise<User> {
  const tags = checkNewTags(input.Tags, 'User');
  const boundary = input.PermissionsBoundary === undefined ? undefined : await requireBoundaryPolicy(domain, input.PermissionsBoundary);
  const user: User = {
    id: domain.ids.userId(),
    name: input.UserName,
    path: input.Path ?? '/',
    createdAt: domain.clock.now(),
    passwordLastUsed: null,
    tags,
    permissionsBoundary: input.PermissionsBoundary ?? null,
  };
  const quota = accountQuotas(domain).UsersQuota;
  const created = await domain.store.users.create(user, boundary?.kind === 'customer', quota);
  if (created === 'exists') throw errors.userExists(input.UserName);
  if (created === 'quota') throw accountQuotaExceeded('UsersQuota', quota);
  if (created === 'no-policy') throw noSuchBoundary(input.PermissionsBoundary!); // deleted since it was found
  return user;
}

/** GetUser: the named user, or the caller itself (root included) when no name is given. */
export async function getUser(domain: Domain, caller: Caller, userName: string | undefined): Promise<User | 'root'> {
  if (userName === undefined && caller.kind === 'root') return 'root';
  return requireUser(domain, targetUserName(caller, userName));
}

export async function updateUser(
  domain: Domain,
  input: { UserName: string; NewUserName?: string; NewPath?: string },
): Promise<void> {
  const result = await domain.store.users.update(input.UserName, { newName: input.NewUserName, newPath: input.NewPath });
  if (result === 'missing') throw errors.noSuchUser(input.UserName);
  if (result === 'name-taken') throw errors.userExists(input.NewUserName!);
}

export async function deleteUser(domain: Domain, userName: string): Promise<void> {
  const result = await domain.store.users.delete(userName);
  if (result === 'missing') throw errors.noSuchUser(userName);
  if (result === 'has-login-profile') throw errors.deleteConflict('login profile');
  if (result === 'has-access-keys') throw errors.deleteConflict('access keys');
  if (result === 'has-signing-certificates') throw errors.deleteConflict('certificates');
  if (result === 'has-ssh-public-keys' || result === 'has-service-specific-credentials') throw errors.deleteConflict('referenced objects');
  if (result === 'has-mfa-devices') throw errors.deleteConflict('MFA device');
  if (result === 'has-inline-policies') throw errors.deleteConflict('policies');
  if (result === 'has-attached-policies') throw errors.deleteConflict('attached policies');
  if (result === 'in-groups') throw errors.deleteConflict('groups');
}

export async function listUsers(
  domain: Domain,
  input: { PathPrefix?: string; Marker?: string; MaxItems?: number },
): Promise<ListPage<User>> {
  return listByPath(domain.store.users, input);
}

export async function tagUser(domain: Domain, input: { UserName: string; Tags: Tag[] }): Promise<void> {
  await tagResource(domain.store.users, input.UserName, input.Tags, 'User', () => errors.noSuchUser(input.UserName));
}

export async function untagUser(domain: Domain, input: { UserName: string; TagKeys: string[] }): Promise<void> {
  await untagResource(domain.store.users, input.UserName, input.TagKeys, () => errors.noSuchUser(input.UserName));
}

export async function listUserTags(domain: Domain, input: { UserName: string; Marker?: string; MaxItems?: number }) {
  return tagPage((await requireUser(domain, input.UserName)).tags, input);
}
