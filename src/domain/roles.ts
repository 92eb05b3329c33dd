import type { Role, Tag } from './entities.js';
import { accountQuotas, type Domain } from './context.js';
import { accountQuotaExceeded } from './quotas.js';
import { errors, IamError } from './errors.js';
import { listByPath } from './paging.js';
import { noSuchBoundary, requireBoundaryPolicy } from './policies.js';
import { resolveTrustPolicy } from './trust-principals.js';
import { checkNewTags } from './tags.js';
import type { ListPage } from '../ports/store.js';

/** Roles: who may assume them (the trust policy), what they may do (their policies), for how long. */

export const DEFAULT_MAX_SESSION_DURATION = 3600;

export const noSuchRole = errors.noSuchRole;

export async function requireRole(domain: Domain, name: string): Promise<Role> {
  const role = await domain.store.roles.getByName(name);
  if (!role) throw noSuchRole(name);
  return role;
}

/** AWS refuses plain changes to a service-linked role: only its service may make them. */
export function refuseIfServiceLinked(role: Role): void {
  if (role.linkedService !== null) {
    throw new IamError('UnmodifiableEntity', `Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`);
  }
}

export async function createRole(
  domain: Domain,
  input: {
    RoleName: string;
    Path?: string;
    AssumeRolePolicyDocument: string;
    Description?: string;
    MaxSessionDuration?: number;
    PermissionsBoundary?: string;
    Tags?: Tag[];
  },
  linkedService: string | null = null,
): Promise<Role> {
  if (linkedService === null && (input.Path ?? '/').startsWith('/aws-service-role/')) {
    throw new IamError('InvalidInput', "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles");
  }
  const tags = checkNewTags(input.Tags, 'Role');
  const trustPrincipalIds = await resolveTrustPolicy(domain, input.AssumeRolePolicyDocument);
  const boundary = input.PermissionsBoundary === undefined ? undefined : await requireBoundaryPolicy(domain, input.PermissionsBoundary);
  const role: Role = {
    id: domain.ids.uniqueId('AROA'),
    name: input.RoleName,
    path: input.Path ?? '/',
    createdAt: domain.clock.now(),
    description: input.Description ?? null,
    maxSessionDuration: input.MaxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
    trustPolicy: input.AssumeRolePolicyDocument,
    trustPrincipalIds,
    permissionsBoundary: input.PermissionsBoundary ?? null,
    tags,
    lastUsed: null,
    linkedService,
  };
  const quota = accountQuotas(domain).RolesQuota;
  const created = await domain.store.roles.create(role, boundary?.kind === 'customer', quota);
  if (created === 'exists') throw new IamError('EntityAlreadyExists', `Role with name ${input.RoleName} already exists.`);
  if (created === 'quota') throw accountQuotaExceeded('RolesQuota', quota);
  if (created === 'no-policy') throw noSuchBoundary(input.PermissionsBoundary!); // deleted since it was found
  return role;
}

export async function updateRole(domain: Domain, input: { RoleName: string; Description?: string; MaxSessionDuration?: number }): Promise<Role> {
  refuseIfServiceLinked(await requireRole(domain, input.RoleName));
  if ((await domain.store.roles.updateRole(input.RoleName, { description: input.Description, maxSessionDuration: input.MaxSessionDuration })) === 'missing') {
    throw noSuchRole(input.RoleName);
  }
  return requireRole(domain, input.RoleName);
}

export async function updateAssumeRolePolicy(domain: Domain, input: { RoleName: string; PolicyDocument: string }): Promise<void> {
  refuseIfServiceLinked(await requireRole(domain, input.RoleName));
  const principalIds = await resolveTrustPolicy(domain, input.PolicyDocument);
  if ((await domain.store.roles.updateRole(input.RoleName, { trust: { policy: input.PolicyDocument, principalIds } })) === 'missing') {
    throw noSuchRole(input.RoleName);
  }
}

export async function deleteRole(domain: Domain, name: string, allowServiceLinked = false): Promise<void> {
  const role = await requireRole(domain, name);
  if (!allowServiceLinked) refuseIfServiceLinked(role);
  const result = await domain.store.roles.delete(name);
  if (result === 'missing') throw noSuchRole(name);
  if (result === 'in-instance-profiles') throw new IamError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
  if (result === 'has-inline-policies') throw errors.deleteConflict('policies');
  if (result === 'has-attached-policies') throw errors.deleteConflict('attached policies');
}

export async function listRoles(domain: Domain, input: { PathPrefix?: string; Marker?: string; MaxItems?: number }): Promise<ListPage<Role>> {
  return listByPath(domain.store.roles, input);
}

export async function putRolePermissionsBoundary(domain: Domain, roleName: string, arn: string): Promise<void> {
  refuseIfServiceLinked(await requireRole(domain, roleName));
  const found = await requireBoundaryPolicy(domain, arn);
  const result = await domain.store.roles.setPermissionsBoundary(roleName, arn, found.kind === 'customer');
  if (result === 'no-policy') throw noSuchBoundary(arn);
  if (result === 'missing') throw noSuchRole(roleName);
}

export async function deleteRolePermissionsBoundary(domain: Domain, roleName: string): Promise<void> {
  const role = await requireRole(domain, roleName);
  refuseIfServiceLinked(role);
  if (role.permissionsBoundary === null) throw new IamError('NoSuchEntity', `The role ${roleName} does not have a permissions boundary.`);
  await domain.store.roles.setPermissionsBoundary(roleName, null);
}
