import type { AccessKey, AccessKeyStatus, Caller, User } from './entities.js';
import { callerArn, type Domain, requireUser, targetUserName } from './context.js';
import { errors, IamError } from './errors.js';
import { refuseExpiredStatus } from './credential-status.js';

export const MAX_ACCESS_KEYS_PER_USER = 2;

/**
 * Whose keys an access-key call acts on: the named user, else the signing key's owner: the calling
 * IAM user, or (null) the root user, whose own keys AWS lets it manage "even if the AWS account
 * has no associated users" (the API reference of CreateAccessKey and its siblings). A caller that
 * is neither (a role session) gets AWS's ValidationError.
 */
async function owner(domain: Domain, caller: Caller, userName: string | undefined): Promise<User | null> {
  if (userName === undefined && caller.kind === 'root') return null;
  return requireUser(domain, targetUserName(caller, userName));
}

export async function createAccessKey(
  domain: Domain,
  caller: Caller,
  userName: string | undefined,
): Promise<{ key: AccessKey; user: User | null }> {
  const user = await owner(domain, caller, userName);
  const key: AccessKey = {
    id: domain.ids.accessKeyId(domain.accountId),
    userId: user?.id ?? null,
    secret: domain.ids.secretAccessKey(),
    status: 'Active',
    createdAt: domain.clock.now(),
    lastUsed: null,
  };
  // The store gets the secret sealed under the master key; the caller gets it in clear, once.
  const created = await domain.store.accessKeys.create({ ...key, secret: domain.sealer.seal(key.secret) }, MAX_ACCESS_KEYS_PER_USER);
  if (created === 'quota') throw errors.accessKeyQuota();
  if (created === 'no-owner') throw errors.noSuchUser(user!.name); // deleted meanwhile
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
  const status = refuseExpiredStatus(input.Status);
  const user = await owner(domain, caller, input.UserName);
  if (!(await domain.store.accessKeys.setStatus(input.AccessKeyId, user?.id ?? null, status))) {
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
  caller: Caller,
  accessKeyId: string,
): Promise<{ key: AccessKey; user: User | null }> {
  const key = await domain.store.accessKeys.get(accessKeyId);
  // AWS answers an unknown key as a denial (recorded), so that key ids cannot be probed.
  if (!key) {
    throw new IamError(
      'AccessDenied',
      `User: ${callerArn(caller)} is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key ${accessKeyId}`,
    );
  }
  const user = key.userId === null ? null : ((await domain.store.users.getById(key.userId)) ?? null);
  return { key, user };
}
