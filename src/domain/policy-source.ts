import type { Domain } from './context.js';
import { requireUser } from './context.js';
import { IamError } from './errors.js';
import { requireGroup } from './groups.js';
import { requireRole } from './roles.js';
import { type Principal, type SourcedPolicies, policiesOf, policiesOfSet } from './authorization.js';

/**
 * The PolicySourceArn of SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy: a user,
 * group or role of this account, and the policies that apply to it. A user's include its groups'
 * (AWS: "If you specify a user, the simulation also includes all policies that are attached to any
 * groups the user belongs to"); users and roles bring their permissions boundary.
 */

export type PolicySource = Exclude<Principal, { kind: 'root' } | { kind: 'assumed-role' } | { kind: 'federated-user' }>;

// arn:aws:iam::<account>:(user|group|role)<path><name>, the path being "/" or "/a/b/".
const SOURCE_ARN = /^arn:aws:iam::(\d{12}):(user|group|role)(\/(?:[^/]+\/)*)([\w+=,.@-]+)$/;

/** The kind and name an ARN names, when it is a user's, group's or role's of this account. */
export function parsePolicySourceArn(accountId: string, arn: string): { kind: PolicySource['kind']; name: string } | undefined {
  const match = SOURCE_ARN.exec(arn);
  if (!match || match[1] !== accountId) return undefined;
  return { kind: match[2] as PolicySource['kind'], name: match[4]! };
}

/** AWS's answer to a PolicySourceArn that is not a user's, group's or role's (an STS session's, say). */
const invalidEntityArn = (arn: string) => new IamError('InvalidInput', `Invalid Entity Arn: ${arn}`);

/** The entity the ARN names; InvalidInput for any other ARN, NoSuchEntity when it does not exist. */
export async function resolvePolicySource(domain: Domain, arn: string): Promise<PolicySource> {
  const source = parsePolicySourceArn(domain.accountId, arn);
  if (!source) throw invalidEntityArn(arn);
  const { accountId } = domain;
  switch (source.kind) {
    case 'user':
      return { kind: 'user', accountId, accessKeyId: '', user: await requireUser(domain, source.name) };
    case 'group':
      return { kind: 'group', accountId, group: await requireGroup(domain, source.name) };
    case 'role':
      return { kind: 'role', accountId, role: await requireRole(domain, source.name) };
  }
}

/** Every policy that applies to the entity, and its permissions boundary (a group has none). */
export async function policiesOfSource(domain: Domain, source: PolicySource): Promise<SourcedPolicies> {
  switch (source.kind) {
    case 'user':
      return policiesOf(domain.store, source);
    case 'group':
      return policiesOfSet(await domain.store.authorization.policiesForGroup(source.group.id));
    case 'role':
      return policiesOfSet(await domain.store.authorization.policiesForRole(source.role.id));
  }
}
