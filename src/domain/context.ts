import type { Store } from '../ports/store.js';
import type { Clock, IdGenerator, Log, PasswordHasher } from '../ports/runtime.js';
import type { SecretSealer } from '../ports/secret-sealer.js';
import type { Caller, User } from './entities.js';
import { errors } from './errors.js';
import { assumedRoleArn, federatedUserArn, rootArn, userArn } from './arn.js';
import type { DefaultPolicyMode } from './password-policy.js';
import { type AccountQuotas, DEFAULT_ACCOUNT_QUOTAS } from './quotas.js';

/** Everything a domain operation may use; built once at start-up and shared by all requests. */
export interface Domain {
  readonly accountId: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly hasher: PasswordHasher;
  /** Seals access-key secrets before they are stored, and opens them for SigV4 verification. */
  readonly sealer: SecretSealer;
  readonly passwordRules: PasswordRules;
  /** Failures in the background (key-use recording, re-sealing, rehashing): the server's logger. */
  readonly log: Log;
  /**
   * IAMD_PUBLIC_URL: the base URL clients reach iamd at (behind a proxy); the issuer URL of
   * outbound web identity federation starts with it. Absent: the enabling request's origin.
   */
  readonly publicUrl?: string;
  /** IAMD_QUOTAS: the account-wide entity quotas; absent, AWS's defaults. */
  readonly quotas?: Readonly<AccountQuotas>;
}

/** The account-wide quotas in force (quotas.ts). */
export const accountQuotas = (domain: Domain): Readonly<AccountQuotas> => domain.quotas ?? DEFAULT_ACCOUNT_QUOTAS;

/** Installation-wide password settings that are not part of AWS's account policy. */
export interface PasswordRules {
  /** What applies when the account has no password policy: AWS's documented default, or nothing. */
  defaultMode: DefaultPolicyMode;
  /** Banned passwords, lower-cased (IAMD_PASSWORD_BLOCKLIST, IAMD_BLOCK_COMMON_PASSWORDS). */
  blocklist?: ReadonlySet<string>;
}

export const callerArn = (caller: Caller): string =>
  caller.kind === 'root'
    ? rootArn(caller.accountId)
    : caller.kind === 'assumed-role'
      ? assumedRoleArn(caller.accountId, caller.role.name, caller.sessionName)
      : caller.kind === 'federated-user'
        ? federatedUserArn(caller.accountId, caller.federatedName)
        : userArn(caller.accountId, caller.user.path, caller.user.name);

/** The caller's unique id as GetCallerIdentity and aws:userid give it: AROA…:SESSION for a role session. */
export const callerUserId = (caller: Caller): string =>
  caller.kind === 'root'
    ? caller.accountId
    : caller.kind === 'assumed-role'
      ? `${caller.role.id}:${caller.sessionName}`
      : caller.kind === 'federated-user'
        ? `${caller.accountId}:${caller.federatedName}`
        : caller.user.id;

/**
 * The user an operation with an optional UserName acts on: the named one, or else the calling IAM
 * user. Root has no IAM user to default to, and AWS says so with a ValidationError.
 */
export function targetUserName(caller: Caller, userName: string | undefined): string {
  if (userName !== undefined) return userName;
  if (caller.kind === 'user') return caller.user.name;
  throw errors.userNameRequired();
}

export async function requireUser(domain: Domain, userName: string): Promise<User> {
  const user = await domain.store.users.getByName(userName);
  if (!user) throw errors.noSuchUser(userName);
  return user;
}
