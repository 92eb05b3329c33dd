import type { Caller, Group, Role, Tag } from './entities.js';
import { callerArn } from './context.js';
import { errors } from './errors.js';
import { groupArn, roleArn } from './arn.js';
import type { PolicySet, Store } from '../ports/store.js';
import type { Clock } from '../ports/runtime.js';
import { type NamedPolicy, type Evaluation, type RequestContext, evaluate } from './policy/evaluate.js';
import { type PolicyDocument, parsePolicyDocument } from './policy/document.js';
import { AWS_MANAGED_POLICIES } from './policy/aws-managed.js';
import { WorkBudget, WorkLimitExceeded } from './work-budget.js';

/** What is known about a request besides who sends it, for the condition keys. */
export interface RequestFacts {
  sourceIp?: string;
  secureTransport: boolean;
  /** Tags the request would set (CreateUser, TagUser): aws:RequestTag/*, aws:TagKeys. */
  requestTags?: Tag[];
}

export interface AuthorizationRequest {
  action: string;
  resourceArn: string;
  resourceTags?: Tag[];
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
      const { identity, boundary } = await policiesOf(store, caller);
      let evaluation: Evaluation;
      try {
        evaluation = evaluate(requestContext(caller, request, facts, clock.now()), identity, boundary, new WorkBudget());
      } catch (e) {
        // Policies too costly to evaluate (only pathological ones: see work-budget.ts) allow nothing.
        if (e instanceof WorkLimitExceeded) throw errors.accessDenied(callerArn(caller), request.action, request.resourceArn, 'unevaluable');
        throw e;
      }
      if (evaluation.decision === 'allowed') return;
      throw errors.accessDenied(callerArn(caller), request.action, request.resourceArn, evaluation.decision === 'explicitDeny' ? 'explicit' : 'implicit');
    },
  };
}

export function requestContext(caller: Principal, request: AuthorizationRequest, facts: RequestFacts, now: Date): RequestContext {
  const context: Record<string, string | string[] | undefined> = {
    'aws:SourceIp': facts.sourceIp,
    'aws:SecureTransport': String(facts.secureTransport),
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
  };
  for (const t of request.resourceTags ?? []) context[`aws:ResourceTag/${t.Key}`] = t.Value;
  if (facts.requestTags) {
    for (const t of facts.requestTags) context[`aws:RequestTag/${t.Key}`] = t.Value;
    context['aws:TagKeys'] = facts.requestTags.map((t) => t.Key);
  }
  return {
    action: request.action,
    resource: request.resourceArn,
    principal: {
      arn: principalArn(caller),
      accountId: caller.accountId,
      ...(caller.kind === 'user' ? { userName: caller.user.name, userId: caller.user.id, tags: tagMap(caller.user.tags) } : {}),
      // A role's session carries the role's tags as aws:PrincipalTag/*; its aws:userid names the
      // session too (role-id:session-name), which a simulation of the role alone does not have.
      ...(caller.kind === 'role' ? { tags: tagMap(caller.role.tags) } : {}),
    },
    context,
  };
}

/** Every policy that applies to the calling user, and its permissions boundary. */
export async function policiesOf(store: Store, caller: Caller & { kind: 'user' }): Promise<{ identity: SourcedPolicy[]; boundary?: SourcedPolicy[] }> {
  const { identity, boundary } = policiesOfSet(await store.authorization.policiesFor(caller.user.id));
  if ((await store.passwordPolicy.get())?.allowUsersToChangePassword) identity.push(changePasswordGrant(callerArn(caller)));
  return { identity, boundary };
}

/** The documents of a policy set (a user's, a role's or a group's), parsed, with where each came from. */
export function policiesOfSet(set: PolicySet): { identity: SourcedPolicy[]; boundary?: SourcedPolicy[] } {
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

function managedDocument(arn: string, customer: Map<string, string>): SourcedPolicy | undefined {
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
const PARSED_CACHE_SIZE = 1000;
const parsedCache = new Map<string, PolicyDocument>();

export function parsed(text: string): PolicyDocument {
  let doc = parsedCache.get(text);
  if (!doc) {
    doc = parsePolicyDocument(text);
    if (parsedCache.size >= PARSED_CACHE_SIZE) parsedCache.delete(parsedCache.keys().next().value!);
    parsedCache.set(text, doc);
  }
  return doc;
}

export type { Evaluation };
