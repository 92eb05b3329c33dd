import type { AccessKey, AccessKeyStatus, Caller, User } from './entities.js';
import { type Domain, requireUser, targetUserName } from './context.js';
import { errors } from './errors.js';
import { refuseExpiredStatus } from './credential-status.js';

export const MAX_ACCESS_KEYS_PER_USER = 2;

/**
 * The user an access-key call acts on: the named user, else the calling IAM user. Root keys come
 * from configuration, so root must name a user (AWS's ValidationError otherwise).
 */
async function owner(domain: Domain, caller: Caller, userName: string | undefined): Promise<User> {
  return requireUser(domain, targetUserName(caller, userName));
}

export async function createAccessKey(
  domain: Domain,
  caller: Caller,
  userName: string | undefined,
): Promise<{ key: AccessKey; user: User }> {
  const user = await owner(domain, caller, userName);
  const key: AccessKey = {
    id: domain.ids.accessKeyId(),
    userId: user.id,
    secret: domain.ids.secretAccessKey(),
    status: 'Active',
    createdAt: domain.clock.now(),
    lastUsed: null,
  };
  // The store gets the secret sealed under the master key; the caller gets it in clear, once.
  const created = await domain.store.accessKeys.create({ ...key, secret: domain.sealer.seal(key.secret) }, MAX_ACCESS_KEYS_PER_USER);
  if (created === 'quota') throw errors.accessKeyQuota();
  if (created === 'no-owner') throw errors.noSuchUser(user.name); // deleted meanwhile
  return { key, user };
}

export async function listAccessKeys(
  domain: Domain,
  caller: Caller,
  userName: string | undefined,
): Promise<{ keys: AccessKey[]; user: User }> {
  const user = await owner(domain, caller, userName);
  return { keys: await domain.store.accessKeys.listForOwner(user.id), user };
}

export async function updateAccessKey(
  domain: Domain,
  caller: Caller,
  input: { UserName?: string; AccessKeyId: string; Status: AccessKeyStatus | 'Expired' },
): Promise<void> {
  const status = refuseExpiredStatus(input.Status);
  const user = await owner(domain, caller, input.UserName);
  if (!(await domain.store.accessKeys.setStatus(input.AccessKeyId, user.id, status))) {
    throw errors.noSuchAccessKey(input.AccessKeyId);
  }
}

export async function deleteAccessKey(
  domain: Domain,
  caller: Caller,
  input: { UserName?: string; AccessKeyId: string },
): Promise<void> {
  const user = await owner(domain, caller, input.UserName);
  if (!(await domain.store.accessKeys.delete(input.AccessKeyId, user.id))) {
    throw errors.noSuchAccessKey(input.AccessKeyId);
  }
}

export async function getAccessKeyLastUsed(
  domain: Domain,
  accessKeyId: string,
): Promise<{ key: AccessKey; user: User | null }> {
  const key = await domain.store.accessKeys.get(accessKeyId);
  if (!key) throw errors.noSuchAccessKey(accessKeyId);
  const user = key.userId === null ? null : ((await domain.store.users.getById(key.userId)) ?? null);
  return { key, user };
}
