import type { AccessKey, AccessKeyStatus, Caller, User } from './entities.js';
import { type Domain, requireUser } from './context.js';
import { errors, IamError } from './errors.js';

export const MAX_ACCESS_KEYS_PER_USER = 2;

/** The owner an access-key call acts on: the named user, else the caller (root owns root keys). */
async function owner(domain: Domain, caller: Caller, userName: string | undefined): Promise<User | null> {
  if (userName !== undefined) return requireUser(domain, userName);
  return caller.kind === 'user' ? caller.user : null;
}

export async function createAccessKey(
  domain: Domain,
  caller: Caller,
  userName: string | undefined,
): Promise<{ key: AccessKey; user: User | null }> {
  const user = await owner(domain, caller, userName);
  const key: AccessKey = {
    id: domain.ids.accessKeyId(),
    userId: user?.id ?? null,
    secret: domain.ids.secretAccessKey(),
    status: 'Active',
    createdAt: domain.clock.now(),
    lastUsed: null,
  };
  if ((await domain.store.accessKeys.create(key, MAX_ACCESS_KEYS_PER_USER)) === 'quota') throw errors.accessKeyQuota();
  return { key, user };
}

export async function listAccessKeys(
  domain: Domain,
  caller: Caller,
  userName: string | undefined,
): Promise<{ keys: AccessKey[]; user: User | null }> {
  const user = await owner(domain, caller, userName);
  return { keys: await domain.store.accessKeys.listForOwner(user?.id ?? null), user };
}

export async function updateAccessKey(
  domain: Domain,
  caller: Caller,
  input: { UserName?: string; AccessKeyId: string; Status: AccessKeyStatus | 'Expired' },
): Promise<void> {
  // The model's enum also lists Expired, which only AWS itself sets (on STS-issued keys).
  if (input.Status === 'Expired') {
    throw new IamError('InvalidInput', 'Invalid value for parameter Status. Valid values are Active and Inactive.');
  }
  const user = await owner(domain, caller, input.UserName);
  if (!(await domain.store.accessKeys.setStatus(input.AccessKeyId, user?.id ?? null, input.Status))) {
    throw errors.noSuchAccessKey(input.AccessKeyId);
  }
}

export async function deleteAccessKey(
  domain: Domain,
  caller: Caller,
  input: { UserName?: string; AccessKeyId: string },
): Promise<void> {
  const user = await owner(domain, caller, input.UserName);
  if (!(await domain.store.accessKeys.delete(input.AccessKeyId, user?.id ?? null))) {
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
