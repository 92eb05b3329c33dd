import { createHash, randomBytes } from 'node:crypto';
import type { Caller, CredentialStatus, ServiceSpecificCredential, User } from './entities.js';
import { type Domain, requireUser, targetUserName } from './context.js';
import { errors, IamError } from './errors.js';
import { refuseExpiredStatus } from './credential-status.js';
import { paginate } from './paging.js';

/**
 * Service-specific credentials: a user name and password for CodeCommit (Git over HTTPS) or
 * Amazon Keyspaces, or an API key for Amazon Bedrock or CloudWatch Logs. At most two per user per
 * service. The secret is shown once, by Create and Reset, and never again.
 *
 * Stored as a SHA-256 hash, not sealed: nothing in iamd ever needs the secret back (a service that
 * checked it would compare hashes, as for a password), and a hash leaves nothing to decrypt if the
 * database and the master key leak together. A fast hash is enough: the secret is 44 random bytes,
 * far beyond any guessing, unlike a chosen password (which gets argon2id).
 */

export const MAX_CREDENTIALS_PER_SERVICE = 2;

/** The services AWS issues them for: a user name and password, or an API key. */
const SERVICES: Readonly<Record<string, 'password' | 'api-key'>> = {
  'codecommit.amazonaws.com': 'password',
  'cassandra.amazonaws.com': 'password',
  'bedrock.amazonaws.com': 'api-key',
  'logs.amazonaws.com': 'api-key',
};

export const credentialKind = (serviceName: string): 'password' | 'api-key' => SERVICES[serviceName] ?? 'password';

// AWS's own texts (recorded; AWS answers an unsupported service with NoSuchEntity, not the
// model's NotSupportedService, and ends neither sentence with a period).
const unsupportedService = (name: string) => new IamError('NoSuchEntity', `No such service ${name} is supported for Service Specific Credentials`);
export const noSuchCredential = (id: string) => new IamError('NoSuchEntity', `No such credential ${id} exists`);
// Not found anywhere: AWS's quota pattern with the quota's documented name.
const credentialQuota = () =>
  new IamError('LimitExceeded', `Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: ${MAX_CREDENTIALS_PER_SERVICE}`);

function requireService(name: string): 'password' | 'api-key' {
  const kind = SERVICES[name];
  if (kind === undefined) throw unsupportedService(name);
  return kind;
}

/** 44 random bytes in base64: 60 characters, the last one `=`, as AWS's passwords look. */
const newPassword = (): string => randomBytes(44).toString('base64');

/**
 * The secret handed out. A password as it is; an API key carries its public name too, as AWS's do
 * (Bedrock's start with ABSK and decode to `<alias>:<secret>`).
 */
function secretFor(serviceName: string, serviceUserName: string, password: string): string {
  if (credentialKind(serviceName) === 'password') return password;
  const token = Buffer.from(`${serviceUserName}:${password}`).toString('base64');
  return serviceName === 'bedrock.amazonaws.com' ? `ABSK${token}` : token;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** `alice-at-123456789012`, then `alice+1-at-123456789012`, ... (the first one free for the service). */
const serviceUserName = (userName: string, accountId: string, slot: number): string =>
  `${userName}${slot === 0 ? '' : `+${slot}`}-at-${accountId}`;

/** What Create and Reset hand out: the credential and its secret, this once. */
export interface IssuedCredential {
  credential: ServiceSpecificCredential;
  user: User;
  secret: string;
}

export async function createServiceSpecificCredential(
  domain: Domain,
  input: { UserName: string; ServiceName: string; CredentialAgeDays?: number },
): Promise<IssuedCredential> {
  // The user is checked first (recorded: an unknown user and service give the user's error).
  const user = await requireUser(domain, input.UserName);
  const kind = requireService(input.ServiceName);
  if (input.CredentialAgeDays !== undefined && kind !== 'api-key') {
    throw new IamError('InvalidInput', 'CredentialAgeDays is only valid for Bedrock and CloudWatch Logs API keys.');
  }
  const now = domain.clock.now();
  const password = newPassword();
  const created = await domain.store.serviceCredentials.create(
    {
      id: domain.ids.uniqueId('ACCA'),
      userId: user.id,
      serviceName: input.ServiceName,
      status: 'Active',
      createdAt: now,
      expiresAt: input.CredentialAgeDays === undefined ? null : new Date(now.getTime() + input.CredentialAgeDays * 86_400_000),
    },
    (slot) => {
      const name = serviceUserName(user.name, domain.accountId, slot);
      return { serviceUserName: name, secretHash: sha256(secretFor(input.ServiceName, name, password)) };
    },
    MAX_CREDENTIALS_PER_SERVICE,
  );
  if (created === 'quota') throw credentialQuota();
  if (created === 'no-owner') throw errors.noSuchUser(input.UserName); // deleted meanwhile
  return { credential: created, user, secret: secretFor(created.serviceName, created.serviceUserName, password) };
}

/** A new secret for the credential; its status stays as it was. */
export async function resetServiceSpecificCredential(
  domain: Domain,
  caller: Caller,
  input: { UserName?: string; ServiceSpecificCredentialId: string },
): Promise<IssuedCredential> {
  const user = await requireUser(domain, targetUserName(caller, input.UserName));
  const current = await domain.store.serviceCredentials.get(user.id, input.ServiceSpecificCredentialId);
  if (!current) throw noSuchCredential(input.ServiceSpecificCredentialId);
  const secret = secretFor(current.serviceName, current.serviceUserName, newPassword());
  const credential = await domain.store.serviceCredentials.resetSecret(user.id, current.id, sha256(secret));
  if (!credential) throw noSuchCredential(input.ServiceSpecificCredentialId); // deleted meanwhile
  return { credential, user, secret };
}

export async function updateServiceSpecificCredential(
  domain: Domain,
  caller: Caller,
  input: { UserName?: string; ServiceSpecificCredentialId: string; Status: CredentialStatus | 'Expired' },
): Promise<void> {
  const status = refuseExpiredStatus(input.Status);
  const user = await requireUser(domain, targetUserName(caller, input.UserName));
  if (!(await domain.store.serviceCredentials.setStatus(user.id, input.ServiceSpecificCredentialId, status))) {
    throw noSuchCredential(input.ServiceSpecificCredentialId);
  }
}

export async function deleteServiceSpecificCredential(
  domain: Domain,
  caller: Caller,
  input: { UserName?: string; ServiceSpecificCredentialId: string },
): Promise<void> {
  const user = await requireUser(domain, targetUserName(caller, input.UserName));
  if (!(await domain.store.serviceCredentials.delete(user.id, input.ServiceSpecificCredentialId))) {
    throw noSuchCredential(input.ServiceSpecificCredentialId);
  }
}

/**
 * The named user's credentials (or the calling user's), or with AllUsers everyone's; of one
 * service when ServiceName is given. A page of them, with each credential's user name.
 */
export async function listServiceSpecificCredentials(
  domain: Domain,
  caller: Caller,
  input: { UserName?: string; ServiceName?: string; AllUsers?: boolean; Marker?: string; MaxItems?: number },
): Promise<{ items: { credential: ServiceSpecificCredential; userName: string }[]; isTruncated: boolean; marker?: string }> {
  if (input.AllUsers === true && input.UserName !== undefined) {
    throw new IamError('InvalidInput', 'AllUsers cannot be specified together with UserName.');
  }
  const user = input.AllUsers === true ? undefined : await requireUser(domain, targetUserName(caller, input.UserName));
  if (input.ServiceName !== undefined) requireService(input.ServiceName);
  const credentials = await domain.store.serviceCredentials.list({ userId: user?.id, serviceName: input.ServiceName });
  const page = paginate(credentials, input);
  const names = new Map<string, string>(user ? [[user.id, user.name]] : []);
  const items: { credential: ServiceSpecificCredential; userName: string }[] = [];
  for (const credential of page.items) {
    if (!names.has(credential.userId)) names.set(credential.userId, (await domain.store.users.getById(credential.userId))?.name ?? '');
    items.push({ credential, userName: names.get(credential.userId)! });
  }
  return { items, isTruncated: page.isTruncated, marker: page.marker };
}

/** Expired once an API key's age has run out, whatever status it was given. */
export const effectiveStatus = (credential: ServiceSpecificCredential, now: Date): CredentialStatus | 'Expired' =>
  credential.expiresAt !== null && credential.expiresAt.getTime() <= now.getTime() ? 'Expired' : credential.status;
