import type { ManagedPolicy, PolicyOwner, PolicyVersion, Tag, User } from './entities.js';
import { checkNewTags } from './tags.js';
import { accountQuotas, type Domain, requireUser } from './context.js';
import { accountQuotaExceeded, checkManagedPolicySize, INLINE_POLICY_SIZE, inlinePolicySizeExceeded, policySize } from './quotas.js';
import { policyArn } from './arn.js';
import { errors, IamError } from './errors.js';
import { parsePolicyDocument } from './policy/document.js';
import { AWS_MANAGED_POLICIES, type AwsManagedPolicy } from './policy/aws-managed.js';
import type { PolicyEntity } from '../ports/store.js';
import { decodeMarker, encodeMarker, invalidMarker } from './paging.js';

/**
 * Managed policies (customer managed, and the AWS managed ones iamd ships), inline policies,
 * attachments and permissions boundaries. Every document is validated on write, as IAM does.
 */

export const MAX_POLICY_VERSIONS = 5;

/**
 * Validates a document on write. AWS answers many faults with one generic sentence ("Syntax
 * errors in policy."), and so does iamd: a client's test that passes against iamd must pass
 * against AWS. What exactly is wrong (the error's detail) goes to the access log's errorDetail.
 */
function validateDocument(text: string, kind: 'managed' | 'inline'): void {
  parsePolicyDocument(text, { requireVersion2012: kind === 'managed' });
  // Each version of a managed policy has its own size quota; inline ones count together (put).
  if (kind === 'managed') checkManagedPolicySize(text);
}
export const MAX_ATTACHED_POLICIES = 10;

/** TagPolicy, UntagPolicy on an unknown policy (recorded). */
export const policyNotFound = (arn: string) => new IamError('NoSuchEntity', `Policy ${arn} was not found.`);
export const notAttachable = (arn: string) => new IamError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
const awsManagedIsReadOnly = () => new IamError('InvalidInput', 'AWS managed policies cannot be changed or deleted.');

/** A managed policy as the API shows it: an AWS managed one, or a customer managed one. */
export type AnyManagedPolicy = { kind: 'aws'; policy: AwsManagedPolicy } | { kind: 'customer'; policy: ManagedPolicy };

export async function findManagedPolicy(domain: Domain, arn: string): Promise<AnyManagedPolicy | undefined> {
  const aws = AWS_MANAGED_POLICIES.get(arn);
  if (aws) return { kind: 'aws', policy: aws };
  const customer = await domain.store.managedPolicies.get(arn);
  return customer && { kind: 'customer', policy: customer };
}

export async function requireManagedPolicy(domain: Domain, arn: string): Promise<AnyManagedPolicy> {
  const found = await findManagedPolicy(domain, arn);
  if (!found) throw notAttachable(arn);
  return found;
}

/**
 * A permissions boundary's policy, as AWS checks it (recorded): an ARN that names no policy is
 * InvalidInput "ARN … is not valid.", a policy that does not exist "Scope ARN: … does not exist
 * or is not attachable."
 */
export async function requireBoundaryPolicy(domain: Domain, arn: string): Promise<AnyManagedPolicy> {
  if (!/^arn:aws:iam::(aws|\d{12}):policy\//.test(arn)) throw new IamError('InvalidInput', `ARN ${arn} is not valid.`);
  const found = await findManagedPolicy(domain, arn);
  if (!found) throw noSuchBoundary(arn);
  return found;
}

export const noSuchBoundary = (arn: string) => new IamError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`);

/** A PolicyArn that is not an ARN at all (AWS: ValidationError "ARN … is not valid."). */
function requireArn(arn: string): void {
  if (!/^arn:[^:]+:[^:]*:[^:]*:[^:]*:.+$/.test(arn)) throw new IamError('ValidationError', `ARN ${arn} is not valid.`);
}

async function requireCustomerPolicy(domain: Domain, arn: string): Promise<ManagedPolicy> {
  if (AWS_MANAGED_POLICIES.has(arn)) throw awsManagedIsReadOnly();
  const policy = await domain.store.managedPolicies.get(arn);
  if (!policy) throw notAttachable(arn);
  return policy;
}

export async function createPolicy(
  domain: Domain,
  input: { PolicyName: string; Path?: string; PolicyDocument: string; Description?: string; Tags?: Tag[] },
): Promise<ManagedPolicy> {
  const tags = checkNewTags(input.Tags, 'Policy');
  validateDocument(input.PolicyDocument, 'managed');
  const path = input.Path ?? '/';
  const now = domain.clock.now();
  const policy: ManagedPolicy = {
    arn: policyArn(domain.accountId, path, input.PolicyName),
    id: domain.ids.policyId(),
    name: input.PolicyName,
    path,
    description: input.Description ?? null,
    defaultVersion: 1,
    createdAt: now,
    updatedAt: now,
    attachmentCount: 0,
    permissionsBoundaryUsageCount: 0,
    tags,
  };
  const quota = accountQuotas(domain).PoliciesQuota;
  const created = await domain.store.managedPolicies.create(policy, input.PolicyDocument, quota);
  if (created === 'quota') throw accountQuotaExceeded('PoliciesQuota', quota);
  if (!created) {
    throw new IamError('EntityAlreadyExists', `A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
  }
  return policy;
}

export const getPolicy = requireManagedPolicy;

/**
 * ListPolicies, one page: AWS's managed policies first (a short list in memory), then the
 * account's by name, paged in the store, so a page costs its own size, not the account's. The
 * marker says which part the next page starts in: `aws/N` (the Nth AWS policy that passes the
 * filters) or `local/NAME` (after that customer policy; `local/` from the first).
 */
export async function listPolicies(
  domain: Domain,
  input: { Scope?: 'All' | 'AWS' | 'Local'; OnlyAttached?: boolean; PathPrefix?: string; Marker?: string; MaxItems?: number },
): Promise<{ items: AnyManagedPolicy[]; isTruncated: boolean; marker?: string }> {
  const scope = input.Scope ?? 'All';
  const prefix = input.PathPrefix ?? '/';
  const maxItems = input.MaxItems ?? 100;
  const position = input.Marker === undefined ? { part: 'aws', at: '0' } : policiesPosition(decodeMarker(input.Marker));
  const items: AnyManagedPolicy[] = [];
  const more = (marker: string) => ({ items, isTruncated: true, marker: encodeMarker(marker) });
  if (position.part === 'aws' && scope !== 'Local') {
    let aws = [...AWS_MANAGED_POLICIES.values()].filter((p) => p.path.startsWith(prefix));
    if (input.OnlyAttached) {
      // AWS managed policies count as attached when any user, group or role has them.
      const counts = await domain.store.attachments.countsFor(aws.map((p) => p.arn));
      aws = aws.filter((p) => (counts.get(p.arn) ?? 0) > 0);
    }
    const start = Number(position.at);
    for (const policy of aws.slice(start, start + maxItems)) items.push({ kind: 'aws', policy });
    if (start + maxItems < aws.length) return more(`aws/${start + maxItems}`);
  }
  if (scope === 'AWS') return { items, isTruncated: false };
  const room = maxItems - items.length;
  const page = await domain.store.managedPolicies.listPage({
    pathPrefix: prefix,
    onlyAttached: input.OnlyAttached ?? false,
    marker: position.part === 'local' ? position.at : undefined,
    // A full page of AWS policies still asks for one: whether the account's follow it.
    maxItems: Math.max(room, 1),
  });
  if (room === 0) return page.items.length > 0 ? more('local/') : { items, isTruncated: false };
  for (const policy of page.items) items.push({ kind: 'customer', policy });
  return page.nextMarker === undefined ? { items, isTruncated: false } : more(`local/${page.nextMarker}`);
}

function policiesPosition(position: string): { part: 'aws' | 'local'; at: string } {
  const slash = position.indexOf('/');
  const part = position.slice(0, slash);
  const at = position.slice(slash + 1);
  if (part === 'local' || (part === 'aws' && /^\d{1,6}$/.test(at))) return { part, at };
  throw invalidMarker();
}

export async function deletePolicy(domain: Domain, arn: string): Promise<void> {
  await requireCustomerPolicy(domain, arn);
  const result = await domain.store.managedPolicies.delete(arn);
  if (result === 'missing') throw notAttachable(arn);
  if (result === 'attached') throw new IamError('DeleteConflict', 'Cannot delete a policy attached to entities.');
  if (result === 'has-versions') {
    throw new IamError(
      'DeleteConflict',
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
  }
}

/** "v3" → 3; the model's pattern has already checked the form. */
const versionNumber = (versionId: string) => Number.parseInt(versionId.slice(1), 10);

export async function getPolicyVersion(
  domain: Domain,
  arn: string,
  versionId: string,
): Promise<{ version: PolicyVersion; isDefault: boolean }> {
  const found = await requireManagedPolicy(domain, arn);
  const missing = () => new IamError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist or is not attachable.`);
  if (found.kind === 'aws') {
    if (versionId !== found.policy.versionId) throw missing();
    return { version: { version: versionNumber(versionId), document: found.policy.documentText, createdAt: found.policy.updateDate }, isDefault: true };
  }
  const version = await domain.store.managedPolicies.getVersion(arn, versionNumber(versionId));
  if (!version) throw missing();
  return { version, isDefault: version.version === found.policy.defaultVersion };
}

export async function listPolicyVersions(domain: Domain, arn: string): Promise<{ version: PolicyVersion; isDefault: boolean }[]> {
  const found = await requireManagedPolicy(domain, arn);
  if (found.kind === 'aws') return [await getPolicyVersion(domain, arn, found.policy.versionId)];
  return (await domain.store.managedPolicies.listVersions(arn)).map((version) => ({ version, isDefault: version.version === found.policy.defaultVersion }));
}

export async function createPolicyVersion(
  domain: Domain,
  input: { PolicyArn: string; PolicyDocument: string; SetAsDefault?: boolean },
): Promise<{ version: PolicyVersion; isDefault: boolean }> {
  await requireCustomerPolicy(domain, input.PolicyArn);
  validateDocument(input.PolicyDocument, 'managed');
  const result = await domain.store.managedPolicies.createVersion(
    input.PolicyArn,
    input.PolicyDocument,
    input.SetAsDefault ?? false,
    domain.clock.now(),
    MAX_POLICY_VERSIONS,
  );
  if (result === 'missing') throw notAttachable(input.PolicyArn);
  if (result === 'limit') {
    throw new IamError(
      'LimitExceeded',
      `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
    );
  }
  return { version: result, isDefault: input.SetAsDefault ?? false };
}

export async function deletePolicyVersion(domain: Domain, arn: string, versionId: string): Promise<void> {
  await requireCustomerPolicy(domain, arn);
  const result = await domain.store.managedPolicies.deleteVersion(arn, versionNumber(versionId));
  if (result === 'missing') throw new IamError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist or is not attachable.`);
  if (result === 'default') throw new IamError('DeleteConflict', 'Cannot delete the default version of a policy.');
}

export async function setDefaultPolicyVersion(domain: Domain, arn: string, versionId: string): Promise<void> {
  await requireCustomerPolicy(domain, arn);
  if ((await domain.store.managedPolicies.setDefaultVersion(arn, versionNumber(versionId), domain.clock.now())) === 'missing') {
    throw new IamError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist or is not attachable.`);
  }
}

// Inline policies and attachments, for users and groups alike.

export async function putInlinePolicy(domain: Domain, owner: PolicyOwner, name: string, document: string): Promise<void> {
  validateDocument(document, 'inline');
  // The owner's inline policies together, this one included (in place of one of the same name).
  const result = await domain.store.inlinePolicies.put(owner, name, document, { maxTotal: INLINE_POLICY_SIZE[owner.kind], sizeOf: policySize });
  if (result === 'too-big') throw inlinePolicySizeExceeded(owner.kind, owner.name);
  if (!result) throw errors.noSuchPrincipal(owner.kind, owner.name);
}

export async function getInlinePolicy(domain: Domain, owner: PolicyOwner, name: string): Promise<{ name: string; document: string }> {
  const policy = await domain.store.inlinePolicies.get(owner, name);
  if (!policy) throw new IamError('NoSuchEntity', `The ${owner.kind} policy with name ${name} cannot be found.`);
  return policy;
}

export async function deleteInlinePolicy(domain: Domain, owner: PolicyOwner, name: string): Promise<void> {
  if (!(await domain.store.inlinePolicies.delete(owner, name))) {
    throw new IamError('NoSuchEntity', `The ${owner.kind} policy with name ${name} cannot be found.`);
  }
}

export async function attachPolicy(domain: Domain, owner: PolicyOwner, arn: string): Promise<void> {
  requireArn(arn);
  const found = await requireManagedPolicy(domain, arn);
  const result = await domain.store.attachments.attach(owner, arn, MAX_ATTACHED_POLICIES, found.kind === 'customer');
  if (result === 'missing') throw notAttachable(arn); // deleted since it was found
  if (result === 'no-owner') throw errors.noSuchPrincipal(owner.kind, owner.name); // likewise
  if (result === 'limit') {
    throw new IamError('LimitExceeded', `Cannot exceed quota for PoliciesPer${QUOTA_NAME[owner.kind]}: ${MAX_ATTACHED_POLICIES}`);
  }
}

const QUOTA_NAME = { user: 'User', group: 'Group', role: 'Role' } as const;

export async function detachPolicy(domain: Domain, owner: PolicyOwner, arn: string): Promise<void> {
  if (!(await domain.store.attachments.detach(owner, arn))) throw new IamError('NoSuchEntity', `Policy ${arn} was not found.`);
}

/** Attached managed policies with their names, as ListAttached*Policies shows them. */
export async function listAttachedPolicies(
  domain: Domain,
  owner: PolicyOwner,
  pathPrefix: string | undefined,
): Promise<{ PolicyName: string; PolicyArn: string }[]> {
  const out: { PolicyName: string; PolicyArn: string }[] = [];
  for (const arn of await domain.store.attachments.list(owner)) {
    const found = await findManagedPolicy(domain, arn);
    if (!found) continue;
    if (pathPrefix !== undefined && !found.policy.path.startsWith(pathPrefix)) continue;
    out.push({ PolicyName: found.policy.name, PolicyArn: arn });
  }
  return out;
}

export async function putUserPermissionsBoundary(domain: Domain, userName: string, arn: string): Promise<void> {
  await requireUser(domain, userName);
  const found = await requireBoundaryPolicy(domain, arn);
  const result = await domain.store.users.setPermissionsBoundary(userName, arn, found.kind === 'customer');
  if (result === 'no-policy') throw noSuchBoundary(arn); // deleted since it was found
  if (result === 'missing') throw errors.noSuchUser(userName);
}

export async function deleteUserPermissionsBoundary(domain: Domain, userName: string): Promise<void> {
  const user: User = await requireUser(domain, userName);
  if (user.permissionsBoundary === null) {
    throw new IamError('NoSuchEntity', `The user ${userName} does not have a permissions boundary.`);
  }
  await domain.store.users.setPermissionsBoundary(userName, null);
}

/**
 * ListEntitiesForPolicy: the users, groups and roles that have the policy attached
 * (PermissionsPolicy, the default) or as their permissions boundary, by name, optionally of one
 * kind and under a path prefix.
 */
export async function listEntitiesForPolicy(
  domain: Domain,
  input: {
    PolicyArn: string;
    EntityFilter?: string;
    PathPrefix?: string;
    PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary';
    Marker?: string;
    MaxItems?: number;
  },
): Promise<{ items: PolicyEntity[]; isTruncated: boolean; marker?: string }> {
  await requireManagedPolicy(domain, input.PolicyArn);
  const kind = ({ User: 'user', Group: 'group', Role: 'role' } as const)[input.EntityFilter as 'User' | 'Group' | 'Role'];
  // LocalManagedPolicy, AWSManagedPolicy: no entity is one.
  if (input.EntityFilter !== undefined && kind === undefined) return { items: [], isTruncated: false };
  // The store's position (the last one served: its kind's rank and name) travels as the marker.
  const marker = input.Marker === undefined ? undefined : decodeMarker(input.Marker);
  if (marker !== undefined && !/^[0-2]\//.test(marker)) throw invalidMarker();
  const page = await domain.store.attachments.entitiesPage(input.PolicyArn, {
    // Without a usage filter, both: the entities it is attached to and those it bounds.
    usages: input.PolicyUsageFilter === undefined ? ['PermissionsPolicy', 'PermissionsBoundary'] : [input.PolicyUsageFilter],
    kinds: kind === undefined ? ['user', 'group', 'role'] : [kind],
    pathPrefix: input.PathPrefix ?? '/',
    marker,
    maxItems: input.MaxItems ?? 100,
  });
  return page.nextMarker === undefined ? { items: page.items, isTruncated: false } : { items: page.items, isTruncated: true, marker: encodeMarker(page.nextMarker) };
}
