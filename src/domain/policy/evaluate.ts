import { conditionsHold } from './conditions.js';
import type { PolicyDocument, Statement } from './document.js';
import { contextValues, variableLookup, type ContextValues } from './request-context.js';
import { resolvePattern, type VariableLookup } from './variables.js';
import { actionMatcher, resourceMatcher } from './wildcard.js';

export interface RequestContext {
  action: string; // e.g. 'iam:UpdateLoginProfile'
  resource: string; // ARN, or '*'
  principal: { arn: string; accountId: string; userName?: string; userId?: string; tags?: Record<string, string> };
  /** Global and service condition keys, e.g. 'aws:SourceIp', 'aws:SecureTransport' ('true'/'false'), 'aws:CurrentTime' (ISO 8601), 'aws:RequestTag/team', 'aws:ResourceTag/team', 'aws:TagKeys' (multi-valued). Keys are case-insensitive. aws:username, aws:userid, aws:PrincipalAccount, aws:PrincipalArn and aws:PrincipalTag/* are derived from `principal` by the engine. */
  context?: Record<string, string | string[] | undefined>;
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
}

/** Identity-based evaluation as AWS does it for one account: explicit Deny wins; otherwise an Allow is needed; with a permissions boundary, the boundary must also allow (an explicit Deny in the boundary also denies). */
export function evaluate(
  request: RequestContext,
  identityPolicies: readonly NamedPolicy[],
  permissionsBoundary?: readonly NamedPolicy[],
): Evaluation {
  const context = contextValues(request);
  const identity = matchingStatements(request, context, identityPolicies);
  const boundary = permissionsBoundary ? matchingStatements(request, context, permissionsBoundary) : [];
  const matched = [...identity, ...boundary];
  const allows = (statements: MatchedStatement[]) => statements.some((s) => s.effect === 'Allow');

  const decision: Decision = matched.some((s) => s.effect === 'Deny')
    ? 'explicitDeny'
    : allows(identity) && (!permissionsBoundary || allows(boundary))
      ? 'allowed'
      : 'implicitDeny';
  return { decision, matched };
}

function matchingStatements(request: RequestContext, context: ContextValues, policies: readonly NamedPolicy[]): MatchedStatement[] {
  const matched: MatchedStatement[] = [];
  for (const { id, document } of policies) {
    // Policy variables exist only in the 2012-10-17 language; older documents keep "${...}" as text.
    const lookup = document.Version === '2012-10-17' ? variableLookup(context) : undefined;
    document.Statement.forEach((statement, statementIndex) => {
      if (!applies(statement, request, context, lookup)) return;
      const entry: MatchedStatement = { policyId: id, statementIndex, effect: statement.Effect };
      if (statement.Sid !== undefined) entry.sid = statement.Sid;
      matched.push(entry);
    });
  }
  return matched;
}

function applies(statement: Statement, request: RequestContext, context: ContextValues, lookup: VariableLookup | undefined): boolean {
  const actionMatches = (patterns: readonly string[]) =>
    patterns.some((p) => actionMatcher(resolvePattern(p, undefined)!).test(request.action));
  const resourceMatches = (patterns: readonly string[]) =>
    patterns.some((p) => {
      const pattern = resolvePattern(p, lookup);
      return pattern !== null && resourceMatcher(pattern).test(request.resource);
    });

  // A statement with neither element (only possible when not built by parsePolicyDocument) applies to nothing.
  const action = statement.Action ? actionMatches(statement.Action) : !!statement.NotAction && !actionMatches(statement.NotAction);
  const resource = statement.Resource
    ? resourceMatches(statement.Resource)
    : !!statement.NotResource && !resourceMatches(statement.NotResource);
  return action && resource && conditionsHold(statement.Condition, context, lookup);
}
