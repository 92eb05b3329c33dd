import type { Role, Session, Tag } from './entities.js';
import type { Domain } from './context.js';
import { roleArn } from './arn.js';
import { IamError } from './errors.js';
import type { RequestFacts } from './authorization.js';
import { evaluateTrustPolicy, type RequestContext } from './policy/evaluate.js';
import { parseTrustPolicy } from './policy/trust.js';
import { MalformedPolicyDocumentError } from './policy/malformed.js';
import { WorkBudget, WorkLimitExceeded } from './work-budget.js';
import { checkSessionPolicies, issue, recordRoleUse, ROLE_ARN, stsErrors, type Credentials } from './sts.js';

/**
 * What AssumeRoleWithWebIdentity and AssumeRoleWithSAML share once the bearer's token or assertion
 * is verified: the role looked up, its trust policy evaluated for Principal {Federated: provider}
 * with the claims as condition keys (sts:TagSession too when the claims carry session tags), the
 * session policies checked, and a role session issued that acts as AssumeRole's do.
 */

export interface FederatedSessionRequest {
  roleArn: string;
  sessionName: string;
  providerArn: string;
  /** sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML. */
  action: string;
  /** The verified token's condition keys (HOST:sub, saml:iss, ...). */
  claimKeys: Record<string, string | string[] | undefined>;
  /** Session tags and transitive keys from the claims (https://aws.amazon.com/tags, PrincipalTag:KEY). */
  tags: Tag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  policy?: string;
  policyArns: string[];
  /** The session's length, already bounded by the caller's rules except the role's maximum. */
  durationSeconds: number;
  /** True when the caller asked for the duration (DurationSeconds): over the maximum is an error, not a cap. */
  durationAsked: boolean;
  /** An absolute end the session may not outlive (SAML's SessionNotOnOrAfter). */
  notAfter?: Date;
}

const MAX_SESSION_TAGS = 50;

/** The role a RoleArn names in this account, or undefined. */
export async function roleOfArn(domain: Domain, arn: string): Promise<Role | undefined> {
  const match = ROLE_ARN.exec(arn);
  const role = match && match[1] === domain.accountId ? await domain.store.roles.getByName(match[3]!) : undefined;
  return role && role.path === match![2] ? role : undefined;
}

/** Session tags from claims, checked as AssumeRole checks its Tags (AWS's rules and messages). */
export function checkClaimTags(tags: Tag[], transitiveTagKeys: string[], invalid: (detail: string) => IamError): void {
  const keys = tags.map((t) => t.Key.toLowerCase());
  if (new Set(keys).size !== keys.length) throw stsErrors.duplicateTagKeys();
  if (transitiveTagKeys.some((k) => !keys.includes(k.toLowerCase()))) throw stsErrors.transitiveKeyNotInTags();
  if (tags.length > MAX_SESSION_TAGS) throw invalid('too many session tags');
  for (const t of tags) {
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(t.Key) || /^aws:/i.test(t.Key)) throw invalid(`tag key ${t.Key}`);
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(t.Value)) throw invalid(`tag value of ${t.Key}`);
  }
}

export async function issueFederatedSession(
  domain: Domain,
  request: FederatedSessionRequest,
  facts: RequestFacts & { region: string },
  notAuthorized: () => IamError,
): Promise<{ credentials: Credentials; role: Role; packedPolicySize?: number }> {
  const role = await roleOfArn(domain, request.roleArn);
  if (!role) throw notAuthorized();
  const now = domain.clock.now();
  const context: RequestContext['context'] = {
    'aws:SourceIp': facts.sourceIp,
    'aws:SecureTransport': String(facts.secureTransport),
    'aws:FederatedProvider': request.providerArn,
    'sts:RoleSessionName': request.sessionName,
    ...(request.sourceIdentity !== undefined ? { 'sts:SourceIdentity': request.sourceIdentity } : {}),
    ...(request.transitiveTagKeys.length ? { 'sts:TransitiveTagKeys': request.transitiveTagKeys } : {}),
    ...Object.fromEntries(role.tags.map((t) => [`aws:ResourceTag/${t.Key}`, t.Value])),
    ...Object.fromEntries(request.tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])),
    ...(request.tags.length ? { 'aws:TagKeys': request.tags.map((t) => t.Key) } : {}),
    ...request.claimKeys,
  };
  const trusts = (action: string): boolean => {
    try {
      const trust = evaluateTrustPolicy(
        { action, resource: roleArn(domain.accountId, role.path, role.name), principal: { arn: request.providerArn, accountId: domain.accountId }, context, now },
        { id: 'trust', document: parseTrustPolicy(role.trustPolicy) },
        (principals) => ((principals.Federated ?? []).some((v) => v === request.providerArn) ? 'direct' : undefined),
        new WorkBudget(),
      );
      return trust.decision === 'allowed';
    } catch (e) {
      if (e instanceof WorkLimitExceeded || e instanceof MalformedPolicyDocumentError) return false;
      throw e;
    }
  };
  if (!trusts(request.action)) throw notAuthorized();
  // Session tags from the claims need sts:TagSession too (AWS's session tags page); a source
  // identity, sts:SetSourceIdentity.
  if (request.tags.length && !trusts('sts:TagSession')) throw notAuthorized();
  if (request.sourceIdentity !== undefined && !trusts('sts:SetSourceIdentity')) throw notAuthorized();

  let duration = request.durationSeconds;
  if (duration > role.maxSessionDuration) {
    if (request.durationAsked) throw stsErrors.durationOverMax();
    duration = role.maxSessionDuration;
  }
  const packed = await checkSessionPolicies(domain, request.policy, request.policyArns, request.tags);

  let expiresAt = new Date(now.getTime() + duration * 1000);
  if (request.notAfter && request.notAfter < expiresAt) expiresAt = request.notAfter;
  const session: Session = {
    issuedAt: now,
    expiresAt,
    ...(request.policy !== undefined ? { policy: request.policy } : {}),
    policyArns: request.policyArns,
    tags: request.tags,
    transitiveTagKeys: request.transitiveTagKeys,
    ...(request.sourceIdentity !== undefined ? { sourceIdentity: request.sourceIdentity } : {}),
  };
  const credentials = await issue(domain, { kind: 'role', roleId: role.id, sessionName: request.sessionName }, session);
  recordRoleUse(domain, role, now, facts.region);
  const givesPacked = request.policy !== undefined || request.policyArns.length > 0 || request.tags.length > 0;
  return { credentials, role, ...(givesPacked ? { packedPolicySize: packed } : {}) };
}
