import type { Caller, CredentialStatus, SshPublicKey, User } from './entities.js';
import { type Domain, requireUser, targetUserName } from './context.js';
import { errors, IamError } from './errors.js';
import { md5Fingerprint, parseSshPublicKey, pemEncoding, sshEncoding, SshKeyError } from './ssh-key-format.js';
import { refuseExpiredStatus } from './credential-status.js';

/** SSH public keys for CodeCommit: at most five per user, each RSA of 2048 bits or more (or Ed25519). */

export const MAX_SSH_PUBLIC_KEYS_PER_USER = 5;
const MIN_RSA_BITS = 2048;

// AWS's texts for these were not found anywhere: the messages are the model's descriptions of the
// errors, and the quota name follows AWS's `Cannot exceed quota for <Name>: <n>` pattern.
const invalidPublicKey = () => new IamError('InvalidPublicKey', 'The public key is malformed or otherwise invalid.');
const unrecognizedEncoding = () => new IamError('UnrecognizedPublicKeyEncoding', 'The public key encoding format is unsupported or unrecognized.');
const duplicateKey = () => new IamError('DuplicateSSHPublicKey', 'The SSH public key is already associated with the specified IAM user.');
const keyQuota = () => new IamError('LimitExceeded', `Cannot exceed quota for SSHPublicKeysPerUser: ${MAX_SSH_PUBLIC_KEYS_PER_USER}`);

/** AWS's own message (recorded). */
export const noSuchSshPublicKey = (id: string) => new IamError('NoSuchEntity', `The Public Key with id ${id} cannot be found.`);

export async function uploadSshPublicKey(domain: Domain, input: { UserName: string; SSHPublicKeyBody: string }): Promise<{ key: SshPublicKey; user: User }> {
  const user = await requireUser(domain, input.UserName);
  let parsed;
  try {
    parsed = parseSshPublicKey(input.SSHPublicKeyBody);
  } catch (e) {
    if (e instanceof SshKeyError) throw e.problem === 'unrecognized' ? unrecognizedEncoding() : invalidPublicKey();
    throw e;
  }
  if (parsed.type === 'ssh-rsa' && parsed.bits < MIN_RSA_BITS) throw invalidPublicKey();
  const key: SshPublicKey = {
    id: domain.ids.uniqueId('APKA', 16),
    userId: user.id,
    body: input.SSHPublicKeyBody,
    blob: parsed.blob.toString('base64'),
    fingerprint: md5Fingerprint(parsed.blob),
    status: 'Active',
    uploadedAt: domain.clock.now(),
  };
  const created = await domain.store.sshPublicKeys.create(key, MAX_SSH_PUBLIC_KEYS_PER_USER);
  if (created === 'duplicate') throw duplicateKey();
  if (created === 'quota') throw keyQuota();
  if (created === 'no-owner') throw errors.noSuchUser(input.UserName); // deleted meanwhile
  return { key, user };
}

/**
 * The key's body in the asked encoding. SSH: as uploaded when it was uploaded in OpenSSH form,
 * else rendered from the key (no comment). PEM: always rendered, as SubjectPublicKeyInfo.
 */
export function encodedBody(key: SshPublicKey, encoding: 'SSH' | 'PEM'): string {
  const blob = Buffer.from(key.blob, 'base64');
  if (encoding === 'PEM') return pemEncoding(blob);
  return key.body.trim().startsWith('-----BEGIN ') ? sshEncoding(blob) : key.body;
}

async function requireKey(domain: Domain, userName: string, id: string): Promise<{ key: SshPublicKey; user: User }> {
  const user = await requireUser(domain, userName);
  const key = await domain.store.sshPublicKeys.get(user.id, id);
  if (!key) throw noSuchSshPublicKey(id);
  return { key, user };
}

export async function getSshPublicKey(
  domain: Domain,
  input: { UserName: string; SSHPublicKeyId: string; Encoding: 'SSH' | 'PEM' },
): Promise<{ key: SshPublicKey; user: User; body: string }> {
  const { key, user } = await requireKey(domain, input.UserName, input.SSHPublicKeyId);
  return { key, user, body: encodedBody(key, input.Encoding) };
}

export async function updateSshPublicKey(
  domain: Domain,
  input: { UserName: string; SSHPublicKeyId: string; Status: CredentialStatus | 'Expired' },
): Promise<void> {
  const status = refuseExpiredStatus(input.Status);
  const user = await requireUser(domain, input.UserName);
  if (!(await domain.store.sshPublicKeys.setStatus(user.id, input.SSHPublicKeyId, status))) throw noSuchSshPublicKey(input.SSHPublicKeyId);
}

export async function deleteSshPublicKey(domain: Domain, input: { UserName: string; SSHPublicKeyId: string }): Promise<void> {
  const user = await requireUser(domain, input.UserName);
  if (!(await domain.store.sshPublicKeys.delete(user.id, input.SSHPublicKeyId))) throw noSuchSshPublicKey(input.SSHPublicKeyId);
}

/** The named user's keys, or the calling IAM user's (root has none: AWS's ValidationError). */
export async function listSshPublicKeys(domain: Domain, caller: Caller, userName: string | undefined): Promise<{ keys: SshPublicKey[]; user: User }> {
  const user = await requireUser(domain, targetUserName(caller, userName));
  return { keys: await domain.store.sshPublicKeys.listForUser(user.id), user };
}
