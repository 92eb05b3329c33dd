import { deflateRawSync } from 'node:zlib';
import type { Caller, Role, Session, Tag, TrustPrincipalIds } from './entities.js';
import { callerArn, type Domain } from './context.js';
import { assumedRoleArn, federatedUserArn, roleArn, rootArn } from './arn.js';
import { errors, IamError } from './errors.js';
import { BoundedMap } from './bounded-map.js';
import { evaluateIdentity, requestContext, type RequestFacts } from './authorization.js';
import { evaluateTrustPolicy, type PrincipalMatch } from './policy/evaluate.js';
import type { Principals } from './policy/document.js';
import { parsePolicyDocument } from './policy/document.js';
import { parseTrustPolicy } from './policy/trust.js';
import { trustPrincipalIdsOf } from './trust-principals.js';
import { MalformedPolicyDocumentError } from './policy/malformed.js';
import { AWS_MANAGED_POLICIES } from './policy/aws-managed.js';
import { WorkBudget, WorkLimitExceeded } from './work-budget.js';
import { issueToken } from './session-token.js';
import { checkMfaCode } from './mfa.js';
import { accountOfKeyId } from './key-ids.js';

/** STS: temporary credentials (AssumeRole, GetSessionToken) and what they are. See docs/sts.md. */

export interface Credentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
}

export interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  PolicyArns?: { arn?: string }[];
  Policy?: string;
  DurationSeconds?: number;
  Tags?: Tag[];
  TransitiveTagKeys?: string[];
  ExternalId?: string;
  SerialNumber?: string;
  TokenCode?: string;
  SourceIdentity?: string;
}

/**
 * A session assuming a role (role chaining) gets at most an hour (AWS's documented limit). AWS
 * counts a user's GetSessionToken credentials as a session too (AWS Knowledge Center
 * "iam-role-chaining-limit"; aws-vault#263, aws-runas#11 quote the refusal).
 */
export const CHAINED_MAX_SECONDS = 3600;
const DEFAULT_DURATION_SECONDS = 3600;

// AWS's sentences (recorded or quoted by AWS's documentation); guesses are marked.
export const stsErrors = {
  rootMayNotAssume: () => new IamError('AccessDenied', 'Roles may not be assumed by root accounts.'),
  notAuthorized: (caller: string, action: string, resource: string) =>
    new IamError('AccessDenied', `User: ${caller} is not authorized to perform: ${action} on resource: ${resource}`),
  durationOverMax: () => new IamError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'),
  // AWS's sentence for a chained session asking more than an hour (quoted in aws/eks-anywhere#9485,
  // 99designs/aws-vault#263; AWS Knowledge Center "iam-role-chaining-limit").
  durationOverChainLimit: () => new IamError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'),
  // Guessed (IAM's sentence for an unknown policy ARN): AWS's answer to a PolicyArns entry that does not exist is not recorded.
  noSuchSessionPolicy: (arn: string) => new IamError('ValidationError', `Policy ${arn} does not exist or is not attachable.`),
  // Tag rules: recorded AWS answers (LocalStack's test_sts.snapshot.json).
  transitiveKeyNotInTags: () => new IamError('InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.'),
  duplicateTagKeys: () => new IamError('InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.'),
  transitiveTagOverride: () =>
    new IamError('InvalidParameterValue', "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session."),
  /** A RoleArn that is not an ARN at all (recorded). */
  invalidArn: (arn: string) => new IamError('ValidationError', `${arn} is invalid`),
  // Guessed wording: AWS documents that a source identity cannot be changed, not its answer.
  sourceIdentityChanged: () => new IamError('ValidationError', 'The source identity of the calling session cannot be changed.'),
  mfaFailed: () => new IamError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.'),
  /**
   * iamd's own (AWS documents no lock-out): the user's codes are refused after too many wrong ones
   * (mfa.ts MFA_LOCK_AFTER), on every path, until an administrator lifts it. AccessDenied, as a
   * wrong code is.
   */
  mfaLocked: () =>
    new IamError(
      'AccessDenied',
      'MultiFactorAuthentication failed: too many invalid MFA one time pass codes. An administrator must resynchronize or deactivate the MFA device.',
    ),
  sessionCredentialsForGetSessionToken: () => new IamError('AccessDenied', 'Cannot call GetSessionToken with session credentials'),
  // Guessed: GetFederationToken's reference says its credentials call no IAM operation and no STS
  // operation but GetCallerIdentity; AWS's wording of the denial is not recorded.
  federatedMayNotCall: (arn: string, action: string) =>
    new IamError('AccessDenied', `User: ${arn} is not authorized to perform: ${action} because federated user credentials may not call it`),
  sessionCredentialsForGetFederationToken: () => new IamError('AccessDenied', 'Cannot call GetFederationToken with session credentials'), // guessed by analogy
  // Guessed, worded as federatedMayNotCall: GetSessionToken's reference says its credentials call
  // no STS operation but AssumeRole and GetCallerIdentity; AWS's wording of the denial is not recorded.
  sessionTokenMayNotCall: (arn: string, action: string) =>
    new IamError('AccessDenied', `User: ${arn} is not authorized to perform: ${action} because GetSessionToken credentials may not call it`),
  packedTooLarge: (percent: number) =>
    new IamError('PackedPolicyTooLarge', `Packed size of the session policies and session tags is ${percent}% of the allowed size.`), // guessed wording
};

/** arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE with a partition, a service and a resource (AWS's check, as recorded). */
export const isArn = (text: string): boolean => {
  const parts = text.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[1] !== '' && parts[2] !== '' && parts.slice(5).join(':') !== '';
};

/** Who may call AssumeRole: IAM users (long-term or GetSessionToken credentials) and role sessions. */
type RoleAssumer = Exclude<Caller, { kind: 'root' } | { kind: 'federated-user' }>;

export const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[^/]+\/)*)([\w+=,.@-]{1,64})$/;

/**
 * How the caller is named in a trust policy's AWS principals: its own id, its session's ARN, an
 * IAM user or role ARN that resolved to its id when the policy was written (`ids`: AWS trusts
 * that principal, not a later one of the same name; trust-principals.ts), or its account.
 */
function principalMatcher(caller: RoleAssumer, ids: TrustPrincipalIds): (principals: Principals) => PrincipalMatch | undefined {
  const { accountId } = caller;
  const callerId = caller.kind === 'user' ? caller.user.id : caller.role.id;
  const direct = new Set<string>(['*', callerId]);
  if (caller.kind === 'assumed-role') direct.add(assumedRoleArn(accountId, caller.role.name, caller.sessionName));
  const namesCaller = (v: string) => direct.has(v) || (Object.hasOwn(ids, v) && ids[v] === callerId);
  const account = new Set([accountId, rootArn(accountId)]);
  return (principals) => {
    const values = principals.AWS ?? [];
    if (values.some(namesCaller)) return 'direct';
    if (values.some((v) => account.has(v))) return 'account';
    return undefined; // Service, Federated and CanonicalUser principals never name an IAM caller
  };
}

/**
 * Whether the caller may do `action` (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity) on the
 * role: as AWS decides within one account, the trust policy and the caller's identity policies
 * together. An explicit Deny in either wins. A trust policy naming the caller itself (its ARN, its
 * role's ARN, `*`) is enough; one naming the account delegates to the identity policies, which
 * must then allow the action on the role.
 */
async function mayAct(domain: Domain, caller: RoleAssumer, role: Role, action: string, facts: RequestFacts): Promise<boolean> {
  const arn = roleArn(domain.accountId, role.path, role.name);
  const now = domain.clock.now();
  const request = { action, resourceArn: arn, resourceTags: role.tags };
  const ids = await trustPrincipalIdsOf(domain, role);
  let trust;
  try {
    trust = evaluateTrustPolicy(requestContext(caller, request, facts, now), { id: 'trust', document: parseTrustPolicy(role.trustPolicy) }, principalMatcher(caller, ids), new WorkBudget());
  } catch (e) {
    if (e instanceof WorkLimitExceeded || e instanceof MalformedPolicyDocumentError) return false;
    throw e;
  }
  if (trust.decision !== 'allowed') return false;
  const identity = await evaluateIdentity(domain.store, caller, request, facts, now);
  if (identity.decision === 'explicitDeny') return false;
  return trust.via === 'direct' || identity.decision === 'allowed';
}

const tagKeysOf = (tags: readonly Tag[]) => tags.map((t) => t.Key.toLowerCase());

export async function assumeRole(
  domain: Domain,
  caller: Caller,
  input: AssumeRoleInput,
  facts: RequestFacts & { region: string },
): Promise<Record<string, unknown>> {
  if (caller.kind === 'root') throw stsErrors.rootMayNotAssume();
  if (caller.kind === 'federated-user') throw stsErrors.federatedMayNotCall(callerArn(caller), 'sts:AssumeRole');
  const callerName = callerArn(caller);
  const denied = (action = 'sts:AssumeRole') => stsErrors.notAuthorized(callerName, action, input.RoleArn);

  if (!isArn(input.RoleArn)) throw stsErrors.invalidArn(input.RoleArn);
  // A role of another account, or none: denied as AWS denies it, naming nothing more.
  const match = ROLE_ARN.exec(input.RoleArn);
  const role = match && match[1] === domain.accountId ? await domain.store.roles.getByName(match[3]!) : undefined;
  if (!role || role.path !== match![2]) throw denied();

  // What the calling session passes on (role chaining): its source identity and transitive tags.
  const parent = caller.kind === 'assumed-role' ? caller.session : undefined;
  const parentTransitive = new Set(parent?.transitiveTagKeys.map((k) => k.toLowerCase()));
  const inherited = parent ? parent.tags.filter((t) => parentTransitive.has(t.Key.toLowerCase())) : [];
  const tags = input.Tags ?? [];
  const keys = tagKeysOf(tags);
  if (new Set(keys).size !== keys.length) throw stsErrors.duplicateTagKeys();
  if ((input.TransitiveTagKeys ?? []).some((k) => !keys.includes(k.toLowerCase()))) throw stsErrors.transitiveKeyNotInTags();
  if (inherited.some((t) => keys.includes(t.Key.toLowerCase()))) throw stsErrors.transitiveTagOverride();
  if (parent?.sourceIdentity !== undefined && input.SourceIdentity !== undefined && input.SourceIdentity !== parent.sourceIdentity) {
    throw stsErrors.sourceIdentityChanged();
  }
  const sourceIdentity = parent?.sourceIdentity ?? input.SourceIdentity;

  // MFA, when the caller brings a code: the device must be the calling user's.
  let mfaAuthenticatedAt = caller.session?.mfaAuthenticatedAt;
  if (input.SerialNumber !== undefined || input.TokenCode !== undefined) {
    await requireMfaCode(domain, caller, input);
    mfaAuthenticatedAt = domain.clock.now();
  }

  const allTags = [...inherited, ...tags];
  const transitiveKeys = [...inherited.map((t) => t.Key), ...(input.TransitiveTagKeys ?? [])];
  const trustFacts: RequestFacts = {
    ...facts,
    requestTags: tags.length ? tags : undefined,
    extra: {
      'sts:ExternalId': input.ExternalId,
      'sts:RoleSessionName': input.RoleSessionName,
      'sts:SourceIdentity': sourceIdentity,
      'sts:TransitiveTagKeys': input.TransitiveTagKeys?.length ? input.TransitiveTagKeys : undefined,
      ...(mfaAuthenticatedAt ? { 'aws:MultiFactorAuthPresent': 'true' } : {}),
    },
  };
  // The caller context as the trust policy sees it (an MFA code given now counts as MFA).
  const asked = mfaAuthenticatedAt && caller.kind === 'user' && !caller.session ? { ...caller, session: mfaOnlySession(mfaAuthenticatedAt, domain.clock.now()) } : caller;
  if (!(await mayAct(domain, asked, role, 'sts:AssumeRole', trustFacts))) throw denied();
  if ((tags.length || input.TransitiveTagKeys?.length) && !(await mayAct(domain, asked, role, 'sts:TagSession', trustFacts))) throw denied('sts:TagSession');
  if (input.SourceIdentity !== undefined && parent?.sourceIdentity === undefined && !(await mayAct(domain, asked, role, 'sts:SetSourceIdentity', trustFacts))) {
    throw denied('sts:SetSourceIdentity');
  }

  const duration = input.DurationSeconds ?? DEFAULT_DURATION_SECONDS;
  // Any session credentials, a role session's or GetSessionToken's: role chaining.
  if (caller.session && duration > CHAINED_MAX_SECONDS) throw stsErrors.durationOverChainLimit();
  if (duration > role.maxSessionDuration) throw stsErrors.durationOverMax();

  const policyArns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  const packed = await checkSessionPolicies(domain, input.Policy, policyArns, allTags);

  const now = domain.clock.now();
  const session: Session = {
    issuedAt: now,
    expiresAt: new Date(now.getTime() + duration * 1000),
    ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
    policyArns,
    tags: allTags,
    transitiveTagKeys: transitiveKeys,
    ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
    ...(mfaAuthenticatedAt ? { mfaAuthenticatedAt } : {}),
  };
  const credentials = await issue(domain, { kind: 'role', roleId: role.id, sessionName: input.RoleSessionName }, session);
  recordRoleUse(domain, role, now, facts.region);
  const givesPacked = input.Policy !== undefined || policyArns.length > 0 || tags.length > 0;
  return {
    Credentials: credentials,
    AssumedRoleUser: { AssumedRoleId: `${role.id}:${input.RoleSessionName}`, Arn: assumedRoleArn(domain.accountId, role.name, input.RoleSessionName) },
    ...(givesPacked ? { PackedPolicySize: packed } : {}),
    ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
  };
}

const mfaOnlySession = (at: Date, now: Date): Session => ({ issuedAt: now, expiresAt: now, policyArns: [], tags: [], transitiveTagKeys: [], mfaAuthenticatedAt: at });

/**
 * PackedPolicySize: AWS compresses the session policies and tags and answers the percentage of its
 * limit they use, without documenting either. iamd's measure: the deflated JSON of the policy, the
 * ARNs and the tags, against 2048 bytes (so a policy at the 2048-character plain-text limit, which
 * the model enforces, typically packs well under 100%).
 */
export function packedPolicySize(policy: string | undefined, arns: string[], tags: Tag[]): number {
  if (policy === undefined && arns.length === 0 && tags.length === 0) return 0;
  const minified = policy === undefined ? '' : JSON.stringify(JSON.parse(policy));
  const bytes = deflateRawSync(Buffer.from(JSON.stringify([minified, arns, tags]))).length;
  return Math.ceil((bytes * 100) / 2048);
}

/**
 * A request's session policies (Policy, PolicyArns) checked as every STS operation that takes them
 * checks them: each ARN a policy that exists, the document valid, and the policies with the
 * session tags packed within the limit. Returns the packed size.
 */
export async function checkSessionPolicies(domain: Domain, policy: string | undefined, policyArns: string[], tags: Tag[]): Promise<number> {
  for (const arn of policyArns) {
    if (!AWS_MANAGED_POLICIES.has(arn) && !(await domain.store.managedPolicies.get(arn))) throw stsErrors.noSuchSessionPolicy(arn);
  }
  if (policy !== undefined) parsePolicyDocument(policy); // MalformedPolicyDocument with AWS's message
  const packed = packedPolicySize(policy, policyArns, tags);
  if (packed > 100) throw stsErrors.packedTooLarge(packed);
  return packed;
}

/** Role use (RoleLastUsed) is written at most once a minute per role and region: no write per AssumeRole. */
const roleUseWritten = new BoundedMap<string, number>(10_000);
export function recordRoleUse(domain: Domain, role: Role, now: Date, region: string): void {
  const key = `${role.id}\0${region}`;
  const last = roleUseWritten.get(key);
  if (last !== undefined && now.getTime() - last < 60_000 && role.lastUsed?.region === region) return;
  roleUseWritten.set(key, now.getTime());
  domain.store.roles.recordUse(role.id, now, region).catch((e: unknown) => {
    domain.log.error('recording role use failed', { roleId: role.id, error: String(e) });
  });
}

export async function issue(domain: Domain, subject: Parameters<typeof issueToken>[1]['subject'], session: Session): Promise<Credentials> {
  const accessKeyId = domain.ids.temporaryAccessKeyId(domain.accountId);
  const secretAccessKey = domain.ids.secretAccessKey();
  const token = await issueToken(domain, { accessKeyId, secretAccessKey, accountId: domain.accountId, subject, session });
  return { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: token, Expiration: session.expiresAt };
}

/**
 * A code brought with SerialNumber and TokenCode (AssumeRole, GetSessionToken): only an IAM user's
 * own device, through the same counts as the console's second step (mfa.ts checkMfaCode).
 */
async function requireMfaCode(domain: Domain, caller: Caller, input: { SerialNumber?: string; TokenCode?: string }): Promise<void> {
  if (caller.kind !== 'user' || input.SerialNumber === undefined || input.TokenCode === undefined) throw stsErrors.mfaFailed();
  const check = await checkMfaCode(domain, caller.user, input.SerialNumber, input.TokenCode);
  if (check === 'locked') throw stsErrors.mfaLocked();
  if (check !== 'accepted') throw stsErrors.mfaFailed();
}

/**
 * GetSessionToken: temporary credentials of the root user or an IAM user themselves, optionally
 * with MFA. AWS: 900 s to 129,600 s for users (default 43,200); the root user's are capped at one
 * hour (default one hour); session credentials cannot call it.
 */
export async function getSessionToken(
  domain: Domain,
  caller: Caller,
  input: { DurationSeconds?: number; SerialNumber?: string; TokenCode?: string },
): Promise<Record<string, unknown>> {
  if (caller.kind === 'assumed-role' || caller.kind === 'federated-user' || caller.session) throw stsErrors.sessionCredentialsForGetSessionToken();
  const duration = caller.kind === 'root' ? Math.min(input.DurationSeconds ?? 3600, 3600) : (input.DurationSeconds ?? 43_200);
  let mfaAuthenticatedAt: Date | undefined;
  if (input.SerialNumber !== undefined || input.TokenCode !== undefined) {
    await requireMfaCode(domain, caller, input);
    mfaAuthenticatedAt = domain.clock.now();
  }
  const now = domain.clock.now();
  const session: Session = {
    issuedAt: now,
    expiresAt: new Date(now.getTime() + duration * 1000),
    policyArns: [],
    tags: [],
    transitiveTagKeys: [],
    ...(mfaAuthenticatedAt ? { mfaAuthenticatedAt } : {}),
  };
  const subject = caller.kind === 'root' ? ({ kind: 'root' } as const) : ({ kind: 'user', userId: caller.user.id } as const);
  return { Credentials: await issue(domain, subject, session) };
}

/**
 * An STS operation that AWS authorizes with the caller's identity policies alone (GetFederationToken,
 * DecodeAuthorizationMessage): AccessDenied unless they allow `action` on `resourceArn` (none: `*`,
 * and the denial names no resource, as AWS's does); an explicit Deny wins. The root user's are not
 * evaluated: it may do everything.
 */
export async function authorizeOwn(domain: Domain, caller: Caller, action: string, resourceArn: string | undefined, facts: RequestFacts): Promise<void> {
  if (caller.kind === 'root') return;
  const verdict = await evaluateIdentity(domain.store, caller, { action, resourceArn: resourceArn ?? '*' }, facts, domain.clock.now());
  if (verdict.decision !== 'allowed') throw errors.accessDenied(callerArn(caller), action, resourceArn, verdict.reason);
}

/** GetAccessKeyInfo: the account a key id encodes (AWS answers from the id alone, for any key id). */
export function getAccessKeyInfo(domain: Domain, accessKeyId: string): { Account: string } {
  // A key id iamd made before ids encoded the account (or one not of the form) is this account's.
  const account = accountOfKeyId(accessKeyId);
  return { Account: account !== undefined && /^\d{12}$/.test(account) && account !== '000000000000' ? account : domain.accountId };
}

/**
 * GetFederationToken: credentials of a federated user named by the caller, whose permissions are
 * the caller's policies intersected with the session policies passed (none passed: nothing
 * allowed). IAM users whose policies allow sts:GetFederationToken on the federated user's ARN (as
 * AWS names it in its denials), and the root user; 900–129,600 s (default 43,200), the root user's
 * capped at an hour. Its credentials call no IAM operation and no STS operation but GetCallerIdentity.
 */
export async function getFederationToken(
  domain: Domain,
  caller: Caller,
  input: { Name: string; Policy?: string; PolicyArns?: { arn?: string }[]; DurationSeconds?: number; Tags?: Tag[] },
  facts: RequestFacts,
): Promise<Record<string, unknown>> {
  if (caller.kind === 'assumed-role' || caller.kind === 'federated-user' || caller.session) throw stsErrors.sessionCredentialsForGetFederationToken();
  const tags = input.Tags ?? [];
  // The tags asked for are aws:RequestTag/* and aws:TagKeys of both checks; passing any needs
  // sts:TagSession as well (IAM User Guide, "Passing session tags in AWS STS": GetFederationToken
  // needs it in the caller's identity policies).
  const federated = federatedUserArn(domain.accountId, input.Name);
  const tagFacts = tags.length ? { ...facts, requestTags: tags } : facts;
  await authorizeOwn(domain, caller, 'sts:GetFederationToken', federated, tagFacts);
  if (tags.length) await authorizeOwn(domain, caller, 'sts:TagSession', federated, tagFacts);
  const duration = caller.kind === 'root' ? Math.min(input.DurationSeconds ?? 3600, 3600) : (input.DurationSeconds ?? 43_200);
  const keys = tagKeysOf(tags);
  if (new Set(keys).size !== keys.length) throw stsErrors.duplicateTagKeys();
  const policyArns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  const packed = await checkSessionPolicies(domain, input.Policy, policyArns, tags);
  const now = domain.clock.now();
  const session: Session = {
    issuedAt: now,
    expiresAt: new Date(now.getTime() + duration * 1000),
    ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
    policyArns,
    tags,
    transitiveTagKeys: [],
  };
  const subject = { kind: 'federated', issuerId: caller.kind === 'root' ? null : caller.user.id, name: input.Name } as const;
  return {
    Credentials: await issue(domain, subject, session),
    FederatedUser: { FederatedUserId: `${domain.accountId}:${input.Name}`, Arn: federatedUserArn(domain.accountId, input.Name) },
    // Answered even without policies (recorded: PackedPolicySize 0).
    PackedPolicySize: packed,
  };
}
