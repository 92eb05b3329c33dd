import type { PrincipalKind } from './entities.js';
import { IamError } from './errors.js';

/**
 * AWS's IAM quotas that iamd enforces: the account-wide entity counts (AWS's defaults, which an
 * installation may change with IAMD_QUOTAS, as an AWS account may have them raised) and the fixed
 * policy sizes. GetAccountSummary reports the same numbers.
 *
 * Messages, and where they come from:
 * - "Cannot exceed quota for UsersPerAccount: 5000", "... RolesPerAccount: 1000",
 *   "... InstanceProfilesPerAccount: 1000", "... PolicySize: 6144", "... ACLSizePerRole: 2048":
 *   AWS's own answers, quoted in public build logs and issue threads (409 LimitExceeded).
 * - "Maximum policy size of 2048 bytes exceeded for user NAME" (and 5120 for group, 10240 for
 *   role): likewise quoted from AWS in public logs.
 * - "... GroupsPerAccount: 300", "... PoliciesPerAccount: 1500", "... GroupsPerUser: 10": the same
 *   pattern, seen only in other emulators and third-party fakes, not in a recorded AWS answer:
 *   guessed.
 */

/** The account-wide quotas, by their GetAccountSummary names. */
export interface AccountQuotas {
  UsersQuota: number;
  GroupsQuota: number;
  RolesQuota: number;
  InstanceProfilesQuota: number;
  PoliciesQuota: number;
}

export const DEFAULT_ACCOUNT_QUOTAS: Readonly<AccountQuotas> = {
  UsersQuota: 5000,
  GroupsQuota: 300,
  RolesQuota: 1000,
  InstanceProfilesQuota: 1000,
  PoliciesQuota: 1500,
};

/** The name AWS's LimitExceeded message gives each account-wide quota. */
const QUOTA_MESSAGE_NAME: Record<keyof AccountQuotas, string> = {
  UsersQuota: 'UsersPerAccount',
  GroupsQuota: 'GroupsPerAccount',
  RolesQuota: 'RolesPerAccount',
  InstanceProfilesQuota: 'InstanceProfilesPerAccount',
  PoliciesQuota: 'PoliciesPerAccount',
};

export const accountQuotaExceeded = (quota: keyof AccountQuotas, value: number) =>
  new IamError('LimitExceeded', `Cannot exceed quota for ${QUOTA_MESSAGE_NAME[quota]}: ${value}`);

/**
 * IAMD_QUOTAS: a JSON object of some of AccountQuotas' names and positive integers, e.g.
 * `{"UsersQuota": 10000}`; the others keep AWS's defaults. Throws a sentence on anything else.
 */
export function parseAccountQuotas(raw: string | undefined): AccountQuotas {
  const quotas = { ...DEFAULT_ACCOUNT_QUOTAS };
  if (raw === undefined || raw.trim() === '') return quotas;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`IAMD_QUOTAS must be a JSON object, got "${raw}"`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`IAMD_QUOTAS must be a JSON object, got "${raw}"`);
  for (const [name, value] of Object.entries(parsed)) {
    if (!Object.hasOwn(DEFAULT_ACCOUNT_QUOTAS, name)) {
      throw new Error(`IAMD_QUOTAS: unknown quota "${name}" (known: ${Object.keys(DEFAULT_ACCOUNT_QUOTAS).join(', ')})`);
    }
    if (!Number.isSafeInteger(value) || (value as number) < 1) throw new Error(`IAMD_QUOTAS: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
    quotas[name as keyof AccountQuotas] = value as number;
  }
  return quotas;
}

/** Groups a user can be in (not adjustable at AWS). */
export const MAX_GROUPS_PER_USER = 10;
export const groupsPerUserExceeded = () => new IamError('LimitExceeded', `Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);

// Policy sizes, in characters without white space (IAM User Guide, "IAM and AWS STS quotas": "IAM
// does not count white space when calculating the size of a policy against these limits").

/** The inline policies of one user, group or role together. */
export const INLINE_POLICY_SIZE: Record<PrincipalKind, number> = { user: 2048, group: 5120, role: 10_240 };
/** Each version of a customer managed policy. */
export const MANAGED_POLICY_SIZE = 6144;
/** A role's trust policy. */
export const TRUST_POLICY_SIZE = 2048;

/**
 * A policy's size as IAM counts it: its characters that are not white space. White space is what
 * the model lets a document hold of it (space, tab, line feed, carriage return), wherever it is;
 * a no-break space (U+00A0), which JSON does not take for white space either, counts.
 */
export function policySize(document: string): number {
  let size = 0;
  for (const ch of document) if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') size++;
  return size;
}

export const inlinePolicySizeExceeded = (kind: PrincipalKind, name: string) =>
  new IamError('LimitExceeded', `Maximum policy size of ${INLINE_POLICY_SIZE[kind]} bytes exceeded for ${kind} ${name}`);

/** CreatePolicy, CreatePolicyVersion. */
export function checkManagedPolicySize(document: string): void {
  if (policySize(document) > MANAGED_POLICY_SIZE) throw new IamError('LimitExceeded', `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_SIZE}`);
}

/** CreateRole, UpdateAssumeRolePolicy. */
export function checkTrustPolicySize(document: string): void {
  if (policySize(document) > TRUST_POLICY_SIZE) throw new IamError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_SIZE}`);
}
