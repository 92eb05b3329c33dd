import { WorkBudget } from '../work-budget.js';
import { type CompiledCondition, conditionPreparation, conditionsHold } from './conditions.js';
import type { PolicyDocument, Principals } from './document.js';
import { contextValues, variableLookup, type ContextValues } from './request-context.js';
import { resolvePattern, type VariableLookup } from './variables.js';
import { actionMatcher, resourceMatcher, type WildcardMatcher } from './wildcard.js';

export interface RequestContext {
  action: string; // e.g. 'iam:UpdateLoginProfile'
  resource: string; // ARN, or '*'
  principal: { arn: string; accountId: string; userName?: string; userId?: string; tags?: Record<string, string> };
  /** Global and service condition keys, e.g. 'aws:SourceIp', 'aws:SecureTransport' ('true'/'false'), 'aws:CurrentTime' (ISO 8601), 'aws:RequestTag/team', 'aws:ResourceTag/team', 'aws:TagKeys' (multi-valued). Keys are case-insensitive. aws:username, aws:userid, aws:PrincipalAccount, aws:PrincipalArn and aws:PrincipalTag/* are derived from `principal` by the engine. */
  context?: Record<string, string | string[] | undefined>;
  /**
   * When the request was made: the engine derives aws:CurrentTime and aws:EpochTime from it, when
   * a condition asks (a `context` key of the same name wins: the simulator's ContextEntries).
   */
  now?: Date;
}

export interface NamedPolicy {
  id: string;
  document: PolicyDocument;
}

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface MatchedStatement {
  policyId: string;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
}

export interface Evaluation {
  decision: Decision;
  /** Every statement that applied to the request, Allow and Deny, identity policies first, then the boundary. */
  matched: MatchedStatement[];
  /**
   * When denied, which policies decided it (AWS's denials name them): an explicit Deny in the
   * identity policies, else one in the boundary; with none, the identity policies if they do not
   * allow, else the boundary.
   */
  deniedBy?: 'identity' | 'boundary';
}

/**
 * Identity-based evaluation as AWS does it for one account: explicit Deny wins; otherwise an Allow
 * is needed; with a permissions boundary, the boundary must also allow (an explicit Deny in the
 * boundary also denies). Every step is counted against `budget`, which throws WorkLimitExceeded
 * when it runs out (by default each evaluation has a budget of its own).
 */
export function evaluate(
  request: RequestContext,
  identityPolicies: readonly NamedPolicy[],
  permissionsBoundary?: readonly NamedPolicy[],
  budget: WorkBudget = new WorkBudget(),
): Evaluation {
  const context = contextValues(request);
  const identity = matchingStatements(request, context, identityPolicies, budget);
  const boundary = permissionsBoundary ? matchingStatements(request, context, permissionsBoundary, budget) : [];
  const matched = [...identity, ...boundary];
  const allows = (statements: MatchedStatement[]) => statements.some((s) => s.effect === 'Allow');

  const denies = (statements: MatchedStatement[]) => statements.some((s) => s.effect === 'Deny');

  if (denies(identity)) return { decision: 'explicitDeny', matched, deniedBy: 'identity' };
  if (denies(boundary)) return { decision: 'explicitDeny', matched, deniedBy: 'boundary' };
  if (!allows(identity)) return { decision: 'implicitDeny', matched, deniedBy: 'identity' };
  if (permissionsBoundary && !allows(boundary)) return { decision: 'implicitDeny', matched, deniedBy: 'boundary' };
  return { decision: 'allowed', matched };
}

/**
 * A statement prepared for evaluation: its actions and the resources without policy variables as
 * wildcard matchers, made once per document (a resource with a variable stays text, resolved per
 * request).
 */
interface CompiledStatement {
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  actions: readonly WildcardMatcher[] | undefined;
  notActions: readonly WildcardMatcher[] | undefined;
  resources: readonly (WildcardMatcher | string)[] | undefined;
  notResources: readonly (WildcardMatcher | string)[] | undefined;
  conditions: readonly CompiledCondition[];
}

// Work units (work-budget.ts: about 10 ns each) of the steps that are not wildcard matching.
const STATEMENT_UNITS = 10;
const RESOLVE_UNITS = 50;

const compiledDocuments = new WeakMap<PolicyDocument, readonly CompiledStatement[]>();

// Preparing a statement, and each of its action and resource patterns (about a unit a character).
const PREPARE_STATEMENT_UNITS = 50;
const PREPARE_PATTERN_UNITS = 20;

/**
 * A document's statements prepared (matchers, condition values) once; the same object serves
 * every evaluation of the document. Authorization prepares the stored documents it evaluates
 * (within IAM's size quotas, 10 KiB at most) inside the evaluation, uncounted, building a
 * condition's matcher only when an evaluation reaches it.
 */
function compiled(document: PolicyDocument): readonly CompiledStatement[] {
  const statements = compiledDocuments.get(document);
  if (statements) return statements;
  const steps = preparation(document, undefined, false);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Prepares a document ahead of evaluation, step by step: it yields after each statement and
 * every few condition values, so a caller holding large documents (the simulator: up to 128 KiB
 * each, of the caller's own) gives the event loop back between steps instead of preparing a whole
 * document, or all of them, inside one turn. The work is counted against `budget` (throwing
 * WorkLimitExceeded when it runs out), and the conditions' matchers are built now, counted, rather
 * than inside the first evaluation that reaches them.
 */
export function* documentPreparation(document: PolicyDocument, budget: WorkBudget): Generator<void, void> {
  yield* preparation(document, budget, true);
}

function* preparation(document: PolicyDocument, budget: WorkBudget | undefined, eager: boolean): Generator<void, readonly CompiledStatement[]> {
  const done = compiledDocuments.get(document);
  if (done) return done;
  // Policy variables exist only in the 2012-10-17 language; older documents keep "${...}" as text.
  const variables = document.Version === '2012-10-17';
  const count = (patterns: readonly string[] | undefined) => {
    if (budget) for (const p of patterns ?? []) budget.spend(PREPARE_PATTERN_UNITS + p.length);
    return patterns;
  };
  const actions = (patterns: readonly string[] | undefined) => count(patterns)?.map((p) => actionMatcher(resolvePattern(p, undefined)!));
  const resources = (patterns: readonly string[] | undefined) =>
    count(patterns)?.map((p) => (variables && p.includes('${') ? p : resourceMatcher(resolvePattern(p, undefined)!)));
  const statements: CompiledStatement[] = [];
  for (const s of document.Statement) {
    budget?.spend(PREPARE_STATEMENT_UNITS);
    const statement: CompiledStatement = {
      sid: s.Sid,
      effect: s.Effect,
      actions: actions(s.Action),
      notActions: actions(s.NotAction),
      resources: resources(s.Resource),
      notResources: resources(s.NotResource),
      conditions: yield* conditionPreparation(s.Condition, variables, budget, eager),
    };
    statements.push(statement);
    yield;
  }
  compiledDocuments.set(document, statements);
  return statements;
}

function matchingStatements(request: RequestContext, context: ContextValues, policies: readonly NamedPolicy[], budget: WorkBudget): MatchedStatement[] {
  const matched: MatchedStatement[] = [];
  for (const { id, document } of policies) {
    const lookup = document.Version === '2012-10-17' ? variableLookup(context) : undefined;
    compiled(document).forEach((statement, statementIndex) => {
      budget.spend(STATEMENT_UNITS);
      if (!applies(statement, request, context, lookup, budget)) return;
      const entry: MatchedStatement = { policyId: id, statementIndex, effect: statement.effect };
      if (statement.sid !== undefined) entry.sid = statement.sid;
      matched.push(entry);
    });
  }
  return matched;
}

/**
 * How a resource policy's Principal element names the requester (matchPrincipal decides): by its
 * own ARN or id ('direct'), or only through its account ('account': the account id or root ARN,
 * which delegates to the account's identity policies).
 */
export type PrincipalMatch = 'direct' | 'account';

/**
 * A role's trust policy (a resource policy without Resource: it applies to the role it belongs
 * to) evaluated for one request, with the same statement matching and conditions as identity
 * policies. `matchPrincipal` says whether a Principal/NotPrincipal element names the requester.
 * Returns the decision and, for an Allow, how the allowing statement named the requester (direct
 * wins over account when several allow).
 */
export function evaluateTrustPolicy(
  request: RequestContext,
  policy: NamedPolicy,
  matchPrincipal: (principals: Principals) => PrincipalMatch | undefined,
  budget: WorkBudget = new WorkBudget(),
): { decision: Decision; via?: PrincipalMatch } {
  const context = contextValues(request);
  const lookup = policy.document.Version === '2012-10-17' ? variableLookup(context) : undefined;
  let allowVia: PrincipalMatch | undefined;
  const statements = compiled(policy.document);
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i]!;
    const raw = policy.document.Statement[i]!;
    budget.spend(STATEMENT_UNITS);
    let via: PrincipalMatch | undefined;
    if (raw.Principal) via = matchPrincipal(raw.Principal);
    else if (raw.NotPrincipal) via = matchPrincipal(raw.NotPrincipal) ? undefined : 'direct';
    if (!via || !applies(statement, request, context, lookup, budget, true)) continue;
    if (statement.effect === 'Deny') return { decision: 'explicitDeny' };
    if (allowVia !== 'direct') allowVia = via;
  }
  return allowVia ? { decision: 'allowed', via: allowVia } : { decision: 'implicitDeny' };
}

function applies(
  statement: CompiledStatement,
  request: RequestContext,
  context: ContextValues,
  lookup: VariableLookup | undefined,
  budget: WorkBudget,
  /** A resource policy's statement without Resource applies to the resource that holds it. */
  impliedResource = false,
): boolean {
  const actionMatches = (matchers: readonly WildcardMatcher[]) => matchers.some((m) => m.test(request.action, budget));
  const resourceMatches = (entries: readonly (WildcardMatcher | string)[]) =>
    entries.some((entry) => {
      if (typeof entry !== 'string') return entry.test(request.resource, budget);
      budget.spend(RESOLVE_UNITS + 2 * entry.length); // resolved and compiled for this request
      const pattern = resolvePattern(entry, lookup);
      return pattern !== null && resourceMatcher(pattern).test(request.resource, budget);
    });

  // A statement with neither element (only possible when not built by parsePolicyDocument) applies to nothing.
  const action = statement.actions ? actionMatches(statement.actions) : !!statement.notActions && !actionMatches(statement.notActions);
  if (!action) return false;
  const resource = statement.resources
    ? resourceMatches(statement.resources)
    : statement.notResources
      ? !resourceMatches(statement.notResources)
      : impliedResource;
  return resource && conditionsHold(statement.conditions, context, lookup, budget);
}
