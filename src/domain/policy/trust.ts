import { type PolicyDocument, type PrincipalType, parsePolicyDocument } from './document.js';
import { malformed, MalformedPolicyDocumentError, MESSAGES } from './malformed.js';
import { actionMatcher } from './wildcard.js';
import { resolvePattern } from './variables.js';

/** The actions a trust policy may allow (AWS refuses any other, "sts:InvalidAction" included). */
const TRUST_ACTIONS = [
  'sts:AssumeRole',
  'sts:AssumeRoleWithSAML',
  'sts:AssumeRoleWithWebIdentity',
  'sts:TagSession',
  'sts:SetSourceIdentity',
  'sts:SetContext',
];
const isTrustAction = (action: string) => {
  const matcher = actionMatcher(resolvePattern(action, undefined)!); // no lookup: never null
  return TRUST_ACTIONS.some((a) => matcher.test(a));
};

/**
 * A role's trust policy (AssumeRolePolicyDocument), validated as IAM validates it on CreateRole and
 * UpdateAssumeRolePolicy: a policy document that must name a principal, may not name a resource,
 * may only allow STS's role-assuming actions, and whose principals must be well formed. Whether a
 * same-account user or role principal exists is the caller's check (it needs the store).
 */
export function parseTrustPolicy(text: string): PolicyDocument {
  let document: PolicyDocument;
  try {
    document = parsePolicyDocument(text, { kind: 'trust' });
  } catch (e) {
    // A trust policy that is not JSON has AWS's own sentence (recorded), not "Syntax errors in policy."
    if (e instanceof MalformedPolicyDocumentError && e.detail === 'the document is not JSON') throw malformed(MESSAGES.trustNotJson);
    throw e;
  }
  for (const s of document.Statement) {
    for (const action of s.Action ?? []) {
      if (!isTrustAction(action)) throw malformed(MESSAGES.assumeRoleActions, `action "${action}" is not one of STS's role-assuming actions`);
    }
    for (const principals of [s.Principal, s.NotPrincipal]) {
      for (const [type, values] of Object.entries(principals ?? {}) as [PrincipalType, string[]][]) {
        for (const value of values) {
          if (!WELL_FORMED[type](value)) throw malformed(MESSAGES.invalidPrincipal(type, value));
        }
      }
    }
  }
  return document;
}

const ACCOUNT = String.raw`\d{12}`;
const AWS_PRINCIPAL = new RegExp(
  String.raw`^(\*|${ACCOUNT}|arn:aws:iam::${ACCOUNT}:(root|user/.+|role/.+)|arn:aws:sts::${ACCOUNT}:(assumed-role/[^/]+/.+|federated-user/.+)|A[A-Z]{3}[A-Z2-7]{13,})$`,
);
/** The web identity providers AWS knows by name, besides registered OIDC and SAML providers. */
const NAMED_IDENTITY_PROVIDERS = new Set(['cognito-identity.amazonaws.com', 'accounts.google.com', 'graph.facebook.com', 'www.amazon.com']);

const WELL_FORMED: Record<PrincipalType, (value: string) => boolean> = {
  AWS: (v) => AWS_PRINCIPAL.test(v),
  Service: (v) => /^[a-z0-9][a-z0-9.-]*\.amazon(aws)?\.com(\.cn)?$/.test(v),
  Federated: (v) => NAMED_IDENTITY_PROVIDERS.has(v) || new RegExp(`^arn:aws:iam::${ACCOUNT}:(saml-provider|oidc-provider)/.+$`).test(v),
  CanonicalUser: (v) => /^[0-9a-f]{64}$/.test(v),
};

/** The same-account IAM user and role ARNs a trust policy names, which must exist (AWS resolves them to ids). */
export function namedPrincipalArns(document: PolicyDocument, accountId: string): { kind: 'user' | 'role'; arn: string; name: string }[] {
  const out: { kind: 'user' | 'role'; arn: string; name: string }[] = [];
  const pattern = new RegExp(`^arn:aws:iam::${accountId}:(user|role)/(?:.*/)?([^/]+)$`);
  for (const s of document.Statement) {
    for (const arn of [...(s.Principal?.AWS ?? []), ...(s.NotPrincipal?.AWS ?? [])]) {
      const m = pattern.exec(arn);
      if (m) out.push({ kind: m[1] as 'user' | 'role', arn, name: m[2]! });
    }
  }
  return out;
}
