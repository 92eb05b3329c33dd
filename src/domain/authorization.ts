import type { Caller, Group, PolicyVersion, Role, Session, Tag } from './entities.js';
import { callerArn } from './context.js';
import { type DenialReason, errors } from './errors.js';
import { groupArn, roleArn } from './arn.js';
import type { PolicySet, Store } from '../ports/store.js';
import type { Clock } from '../ports/runtime.js';
import { type NamedPolicy, type Evaluation, type RequestContext, evaluate } from './policy/evaluate.js';
import { type PolicyDocument, parsePolicyDocument } from './policy/document.js';
import { AWS_MANAGED_POLICIES } from './policy/aws-managed.js';
import { WorkBudget, WorkLimitExceeded } from './work-budget.js';
import { BoundedMap } from './bounded-map.js';

/** What is known about a request besides who sends it, for the condition keys. */
export interface RequestFacts {
  sourceIp?: string;
  secureTransport: boolean;
  /** Tags the request would set (CreateUser, TagUser): aws:RequestTag/*, aws:TagKeys. */
  requestTags?: Tag[];
  /** Service keys the operation supplies (sts:ExternalId, sts:RoleSessionName...). */
  extra?: Record<string, string | string[] | undefined>;
}

export interface AuthorizationRequest {
  action: string;
  resourceArn: string;
  resourceTags?: Tag[];
  /** How a denial names the resource when not by its ARN (operation.ts, Resource.denialName). */
  denialName?: string;
}

/** Decides whether a caller may perform an action on a resource; throws AccessDenied if not. */
export interface Authorizer {
  authorize(caller: Caller, request: AuthorizationRequest, facts: RequestFacts): Promise<void>;
}

/** A policy that applies to a principal, with where it came from (for SimulatePrincipalPolicy). */
export interface SourcedPolicy extends NamedPolicy {
  sourceType: 'user' | 'group' | 'role' | 'user-managed' | 'aws-managed' | 'none';
}

/**
 * Whom a request context describes: a caller, or a role or group whose policies the policy
 * simulator evaluates (SimulatePrincipalPolicy with a role's or a group's ARN) without a request
 * of its own.
 */
export type Principal = Caller | { kind: 'role'; accountId: string; role: Role } | { kind: 'group'; accountId: string; group: Group };

export function principalArn(principal: Principal): string {
  if (principal.kind === 'role') return roleArn(principal.accountId, principal.role.path, principal.role.name);
  if (principal.kind === 'group') return groupArn(principal.accountId, principal.group.path, principal.group.name);
  return callerArn(principal);
}

const tagMap = (tags: Tag[]) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));

/**
 * IAM's identity-based evaluation: the root user may do everything; an IAM user needs an Allow
 * in one of its policies (inline or attached, its own or its groups'), no explicit Deny, and, when
 * it has a permissions boundary, an Allow there too. AllowUsersToChangePassword adds AWS's
 * account-level grant: iam:ChangePassword on oneself and iam:GetAccountPasswordPolicy.
 */
export function policyAuthorizer(store: Store, clock: Clock): Authorizer {
  return {
    async authorize(caller, request, facts) {
      if (caller.kind === 'root') return;
      const verdict = await evaluateIdentity(store, caller, request, facts, clock.now());
      if (verdict.decision === 'allowed') return;
      throw errors.accessDenied(callerArn(caller), request.action, request.denialName ?? request.resourceArn, verdict.reason);
    },
  };
}

export type { DenialReason };

/**
 * What the caller's own policies say about a request. A role session acts with the role's
 * policies (inline and attached, read now, so a change applies to live sessions), bounded by the
 * role's permissions boundary and, when the session has session policies, by those too: an action
 * is allowed only where both allow, and an explicit Deny in any of them wins.
 */
export async function evaluateIdentity(
  store: Store,
  caller: Exclude<Caller, { kind: 'root' }>,
  request: AuthorizationRequest,
  facts: RequestFacts,
  now: Date,
): Promise<{ decision: Evaluation['decision']; reason: DenialReason }> {
  const { identity, boundary } = await callerPolicies(store, caller);
  // A federated user has the intersection of its issuer's policies and the policies it was given:
  // none given, nothing allowed (GetFederationToken's reference).
  const session =
    caller.kind === 'assumed-role' ? await sessionPolicies(store, caller.session) : caller.kind === 'federated-user' ? ((await sessionPolicies(store, caller.session)) ?? []) : undefined;
  const context = requestContext(caller, request, facts, now);
  const budget = new WorkBudget();
  try {
    const main = evaluate(context, identity, boundary, budget);
    const bySession = session && evaluate(context, session, undefined, budget);
    // Which policies a denial names (AWS's "Troubleshooting access denied error messages": "…
    // with an explicit deny in a permissions boundary", "… because no permissions boundary allows
    // the X action"). When several apply: an explicit Deny before any implicit one (AWS evaluates
    // every Deny first); among each, identity policies, then the boundary, then session policies —
    // the order of the steps in the IAM guide's policy evaluation flow chart (identity-based,
    // permissions boundaries, session policies). That the explicit denies follow the same order is
    // our assumption: AWS documents no precedence among them.
    if (main.decision === 'explicitDeny') return { decision: 'explicitDeny', reason: main.deniedBy === 'boundary' ? 'boundary-explicit' : 'explicit' };
    if (bySession?.decision === 'explicitDeny') return { decision: 'explicitDeny', reason: 'session-explicit' };
    if (main.decision !== 'allowed') return { decision: 'implicitDeny', reason: main.deniedBy === 'boundary' ? 'boundary-implicit' : 'implicit' };
    if (bySession && bySession.decision !== 'allowed') return { decision: 'implicitDeny', reason: 'session-implicit' };
    return { decision: 'allowed', reason: 'implicit' };
  } catch (e) {
    // Policies too costly to evaluate (only pathological ones: see work-budget.ts) allow nothing.
    if (e instanceof WorkLimitExceeded) return { decision: 'implicitDeny', reason: 'unevaluable' };
    throw e;
  }
}

/** The identity policies a caller acts with: a user's own, a role session's role's, a federated user's issuer's. */
async function callerPolicies(store: Store, caller: Exclude<Caller, { kind: 'root' }>): Promise<SourcedPolicies> {
  switch (caller.kind) {
    case 'user':
      return policiesOf(store, caller);
    case 'assumed-role':
      return policiesOfSet(await store.authorization.policiesForRole(caller.role.id));
    case 'federated-user':
      // The root user's federated users: the root user's permissions (everything) bounded by the session policies.
      if (caller.issuer === null) return { identity: [ALLOW_ALL] };
      return policiesOf(store, { kind: 'user', accountId: caller.accountId, accessKeyId: caller.accessKeyId, user: caller.issuer });
  }
}

const ALLOW_ALL: SourcedPolicy = {
  id: 'root',
  sourceType: 'none',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] },
};

/**
 * A session's session policies: the inline one and the managed ones it names (read now; one
 * deleted since allows nothing). Undefined when it has none: then the role's policies alone decide.
 */
async function sessionPolicies(store: Store, session: Session): Promise<SourcedPolicy[] | undefined> {
  if (session.policy === undefined && session.policyArns.length === 0) return undefined;
  const policies: SourcedPolicy[] = [];
  if (session.policy !== undefined) policies.push({ id: 'session:inline', sourceType: 'none', document: parsed(session.policy) });
  const customerArns = session.policyArns.filter((arn) => !AWS_MANAGED_POLICIES.has(arn));
  const versions = customerArns.length ? await store.managedPolicies.versionsOf(customerArns) : new Map<string, PolicyVersion[]>();
  const customer = new Map<string, string>();
  for (const arn of customerArns) {
    const policy = await store.managedPolicies.get(arn);
    const document = policy && versions.get(arn)?.find((v) => v.version === policy.defaultVersion)?.document;
    if (document !== undefined) customer.set(arn, document);
  }
  for (const arn of session.policyArns) {
    const managed = managedDocument(arn, customer);
    if (managed) policies.push(managed);
  }
  return policies;
}

export function requestContext(caller: Principal, request: AuthorizationRequest, facts: RequestFacts, now: Date): RequestContext {
  const context: Record<string, string | string[] | undefined> = {
    'aws:SourceIp': facts.sourceIp,
    'aws:SecureTransport': String(facts.secureTransport),
  };
  if (caller.kind === 'user' && caller.console) {
    const at = caller.console.mfaAuthenticatedAt;
    context['aws:MultiFactorAuthPresent'] = String(at !== null);
    // Seconds since the code was accepted; absent, as in AWS, when MFA was not used.
    if (at !== null) context['aws:MultiFactorAuthAge'] = String(Math.max(0, Math.floor((now.getTime() - at.getTime()) / 1000)));
  }
  for (const t of request.resourceTags ?? []) context[`aws:ResourceTag/${t.Key}`] = t.Value;
  if (facts.requestTags) {
    for (const t of facts.requestTags) context[`aws:RequestTag/${t.Key}`] = t.Value;
    context['aws:TagKeys'] = facts.requestTags.map((t) => t.Key);
  }
  const session = 'session' in caller ? caller.session : undefined;
  if (session) Object.assign(context, sessionContext(session, now));
  // Last: what the operation knows better (an MFA code AssumeRole has just accepted).
  Object.assign(context, facts.extra);
  return {
    action: request.action,
    resource: request.resourceArn,
    principal: {
      // aws:PrincipalArn of a role session is the role's ARN, not the session's (AWS's global
      // condition keys reference); callerArn names the session in messages.
      arn: caller.kind === 'assumed-role' ? roleArn(caller.accountId, caller.role.path, caller.role.name) : principalArn(caller),
      accountId: caller.accountId,
      ...(caller.kind === 'user' ? { userName: caller.user.name, userId: caller.user.id, tags: tagMap(caller.user.tags) } : {}),
      // A role's session carries the role's tags as aws:PrincipalTag/*; its aws:userid names the
      // session too (role-id:session-name), which a simulation of the role alone does not have.
      ...(caller.kind === 'role' ? { tags: tagMap(caller.role.tags) } : {}),
      // Session tags win over the role's tags of the same key (AWS's session tags page).
      ...(caller.kind === 'assumed-role'
        ? { userId: `${caller.role.id}:${caller.sessionName}`, tags: Object.assign(tagMap(caller.role.tags), tagMap(caller.session.tags)) }
        : {}),
    },
    context,
    now,
  };
}

/** The keys temporary credentials add: when they were issued, MFA, the source identity. */
function sessionContext(session: Session, now: Date): Record<string, string> {
  const out: Record<string, string> = {
    'aws:TokenIssueTime': session.issuedAt.toISOString(),
    'aws:MultiFactorAuthPresent': String(session.mfaAuthenticatedAt !== undefined),
  };
  if (session.mfaAuthenticatedAt) out['aws:MultiFactorAuthAge'] = String(Math.max(0, Math.floor((now.getTime() - session.mfaAuthenticatedAt.getTime()) / 1000)));
  if (session.sourceIdentity !== undefined) out['aws:SourceIdentity'] = session.sourceIdentity;
  return out;
}

/** Every policy that applies to the calling user, and its permissions boundary. */
export async function policiesOf(store: Store, caller: Caller & { kind: 'user' }): Promise<SourcedPolicies> {
  const { identity, boundary } = policiesOfSet(await store.authorization.policiesFor(caller.user.id));
  if ((await store.passwordPolicy.get())?.allowUsersToChangePassword) return { identity: [...identity, changePasswordGrant(callerArn(caller))], boundary };
  return { identity, boundary };
}

/** A principal's identity policies and permissions boundary; read-only, since they may be shared by requests. */
export interface SourcedPolicies {
  readonly identity: readonly SourcedPolicy[];
  readonly boundary?: readonly SourcedPolicy[];
}

/**
 * The documents of a policy set (a user's, a role's or a group's), parsed, with where each came
 * from. A store hands the same set to every request while nothing has changed (SqlAuthorization),
 * so what is made of it is kept with it.
 */
export function policiesOfSet(set: PolicySet): SourcedPolicies {
  let sourced = sourcedBySet.get(set);
  if (sourced === undefined) {
    sourced = sourcePolicies(set);
    sourcedBySet.set(set, sourced);
  }
  return sourced;
}

const sourcedBySet = new WeakMap<PolicySet, SourcedPolicies>();

function sourcePolicies(set: PolicySet): SourcedPolicies {
  const identity: SourcedPolicy[] = set.inline.map((p) => ({
    id: p.id,
    sourceType: p.id.startsWith('group:') ? 'group' : p.id.startsWith('role:') ? 'role' : 'user',
    document: parsed(p.document),
  }));
  for (const arn of set.attachedArns) {
    const managed = managedDocument(arn, set.customerDocuments);
    if (managed) identity.push(managed);
  }
  const boundaryPolicy = set.boundaryArn === null ? undefined : managedDocument(set.boundaryArn, set.customerDocuments);
  // A boundary that names a policy which no longer exists allows nothing.
  const boundary = set.boundaryArn === null ? undefined : boundaryPolicy ? [boundaryPolicy] : [];
  return { identity, boundary };
}

function managedDocument(arn: string, customer: ReadonlyMap<string, string>): SourcedPolicy | undefined {
  const aws = AWS_MANAGED_POLICIES.get(arn);
  if (aws) return { id: arn, sourceType: 'aws-managed', document: aws.document };
  const text = customer.get(arn);
  return text === undefined ? undefined : { id: arn, sourceType: 'user-managed', document: parsed(text) };
}

/** AllowUsersToChangePassword, as a policy: what AWS grants every IAM user when it is set. */
function changePasswordGrant(userArn: string): SourcedPolicy {
  return {
    id: 'AccountPasswordPolicy:AllowUsersToChangePassword',
    sourceType: 'none',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:ChangePassword'], Resource: [userArn] },
        { Effect: 'Allow', Action: ['iam:GetAccountPasswordPolicy'], Resource: ['*'] },
      ],
    },
  };
}

// Documents were validated when written; parsing them again on every request would cost more
// than the evaluation, so parsed documents are kept by their text.
const parsedCache = new BoundedMap<string, PolicyDocument>(1000);

export function parsed(text: string): PolicyDocument {
  let doc = parsedCache.get(text);
  if (!doc) {
    doc = parsePolicyDocument(text);
    parsedCache.set(text, doc);
  }
  return doc;
}

export type { Evaluation };
