import { roleArn } from '../domain/arn.js';
import * as profiles from '../domain/instance-profiles.js';
import { paginate } from '../domain/paging.js';
import * as roles from '../domain/roles.js';
import * as linkedRoles from '../domain/service-linked-roles.js';
import { tagPage, tagResource, untagResource } from '../domain/tags.js';
import { profilesWithShownTrustPolicies, withShownTrustPolicy as shown, withShownTrustPolicies } from '../domain/trust-principals.js';
import { type OperationTable, creating, onAccount, onInstanceProfile, onPathPrefix, onRole } from './operation.js';
import { presentInstanceProfile, presentRole } from './presenters.js';

/**
 * Roles (their inline and attached policies are in policy-operations.ts, with users' and groups').
 * A role's trust policy is shown as AWS shows it: a named principal deleted since as its unique id
 * (trust-principals.ts).
 */
export const ROLE_OPERATIONS: OperationTable = {
  CreateRole: {
    action: 'iam:CreateRole',
    resource: creating(onRole),
    handler: async (domain, _caller, input) => ({ Role: presentRole(domain.accountId, await shown(domain, await roles.createRole(domain, input)), 'create') }),
  },
  GetRole: {
    action: 'iam:GetRole',
    resource: onRole,
    handler: async (domain, _caller, input) => ({ Role: presentRole(domain.accountId, await shown(domain, await roles.requireRole(domain, input.RoleName))) }),
  },
  UpdateRole: {
    action: 'iam:UpdateRole',
    resource: onRole,
    handler: async (domain, _caller, input) => {
      await roles.updateRole(domain, input);
    },
  },
  UpdateRoleDescription: {
    action: 'iam:UpdateRoleDescription',
    resource: onRole,
    handler: async (domain, _caller, input) => ({ Role: presentRole(domain.accountId, await shown(domain, await roles.updateRole(domain, input)), 'description') }),
  },
  UpdateAssumeRolePolicy: {
    action: 'iam:UpdateAssumeRolePolicy',
    resource: onRole,
    handler: async (domain, _caller, input) => roles.updateAssumeRolePolicy(domain, input),
  },
  DeleteRole: {
    action: 'iam:DeleteRole',
    resource: onRole,
    handler: async (domain, _caller, input) => roles.deleteRole(domain, input.RoleName),
  },
  ListRoles: {
    action: 'iam:ListRoles',
    resource: onPathPrefix('role'),
    handler: async (domain, _caller, input) => {
      const page = await roles.listRoles(domain, input);
      return {
        Roles: (await withShownTrustPolicies(domain, page.items)).map((r) => presentRole(domain.accountId, r, 'list')),
        IsTruncated: page.nextMarker !== undefined,
        Marker: page.nextMarker,
      };
    },
  },
  TagRole: {
    action: 'iam:TagRole',
    resource: onRole,
    handler: async (domain, _caller, input) =>
      tagResource(domain.store.roles, input.RoleName, input.Tags, 'Role', () => roles.noSuchRole(input.RoleName)),
  },
  UntagRole: {
    action: 'iam:UntagRole',
    resource: onRole,
    handler: async (domain, _caller, input) =>
      untagResource(domain.store.roles, input.RoleName, input.TagKeys, () => roles.noSuchRole(input.RoleName)),
  },
  ListRoleTags: {
    action: 'iam:ListRoleTags',
    resource: onRole,
    handler: async (domain, _caller, input) => tagPage((await roles.requireRole(domain, input.RoleName)).tags, input),
  },
  PutRolePermissionsBoundary: {
    action: 'iam:PutRolePermissionsBoundary',
    resource: onRole,
    handler: async (domain, _caller, input) => roles.putRolePermissionsBoundary(domain, input.RoleName, input.PermissionsBoundary),
  },
  DeleteRolePermissionsBoundary: {
    action: 'iam:DeleteRolePermissionsBoundary',
    resource: onRole,
    handler: async (domain, _caller, input) => roles.deleteRolePermissionsBoundary(domain, input.RoleName),
  },
};

/** Instance profiles, and the service-linked roles AWS services create for themselves. */
export const INSTANCE_PROFILE_OPERATIONS: OperationTable = {
  CreateInstanceProfile: {
    action: 'iam:CreateInstanceProfile',
    resource: creating(onInstanceProfile),
    handler: async (domain, _caller, input) => ({
      InstanceProfile: presentInstanceProfile(domain.accountId, await profiles.createInstanceProfile(domain, input), 'create'),
    }),
  },
  GetInstanceProfile: {
    action: 'iam:GetInstanceProfile',
    resource: onInstanceProfile,
    handler: async (domain, _caller, input) => {
      const [profile] = await profilesWithShownTrustPolicies(domain, [await profiles.requireInstanceProfile(domain, input.InstanceProfileName)]);
      return { InstanceProfile: presentInstanceProfile(domain.accountId, profile!, 'get') };
    },
  },
  DeleteInstanceProfile: {
    action: 'iam:DeleteInstanceProfile',
    resource: onInstanceProfile,
    handler: async (domain, _caller, input) => profiles.deleteInstanceProfile(domain, input.InstanceProfileName),
  },
  ListInstanceProfiles: {
    action: 'iam:ListInstanceProfiles',
    resource: onPathPrefix('instance-profile'),
    handler: async (domain, _caller, input) => {
      const page = await profiles.listInstanceProfiles(domain, input);
      return {
        InstanceProfiles: (await profilesWithShownTrustPolicies(domain, page.items)).map((p) => presentInstanceProfile(domain.accountId, p, 'list')),
        IsTruncated: page.nextMarker !== undefined,
        Marker: page.nextMarker,
      };
    },
  },
  ListInstanceProfilesForRole: {
    action: 'iam:ListInstanceProfilesForRole',
    resource: onRole,
    handler: async (domain, _caller, input) => {
      const found = (await profilesWithShownTrustPolicies(domain, await profiles.listInstanceProfilesForRole(domain, input.RoleName))).map((p) =>
        presentInstanceProfile(domain.accountId, p, 'list'),
      );
      const page = paginate(found, input);
      return { InstanceProfiles: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  },
  AddRoleToInstanceProfile: {
    action: 'iam:AddRoleToInstanceProfile',
    resource: onInstanceProfile,
    handler: async (domain, _caller, input) => profiles.addRoleToInstanceProfile(domain, input.InstanceProfileName, input.RoleName),
  },
  RemoveRoleFromInstanceProfile: {
    action: 'iam:RemoveRoleFromInstanceProfile',
    resource: onInstanceProfile,
    handler: async (domain, _caller, input) => profiles.removeRoleFromInstanceProfile(domain, input.InstanceProfileName, input.RoleName),
  },
  TagInstanceProfile: {
    action: 'iam:TagInstanceProfile',
    resource: onInstanceProfile,
    handler: async (domain, _caller, input) =>
      tagResource(domain.store.instanceProfiles, input.InstanceProfileName, input.Tags, 'InstanceProfile', () =>
        profiles.noSuchInstanceProfile(input.InstanceProfileName),
      ),
  },
  UntagInstanceProfile: {
    action: 'iam:UntagInstanceProfile',
    resource: onInstanceProfile,
    handler: async (domain, _caller, input) =>
      untagResource(domain.store.instanceProfiles, input.InstanceProfileName, input.TagKeys, () => profiles.noSuchInstanceProfile(input.InstanceProfileName)),
  },
  ListInstanceProfileTags: {
    action: 'iam:ListInstanceProfileTags',
    resource: onInstanceProfile,
    handler: async (domain, _caller, input) => tagPage((await profiles.requireInstanceProfile(domain, input.InstanceProfileName)).tags, input),
  },

  CreateServiceLinkedRole: {
    action: 'iam:CreateServiceLinkedRole',
    // The role's ARN, as AWS authorizes it (so a policy can allow one service's roles only).
    resource: async (domain, _caller, input) => {
      const name = linkedRoles.LINKED_SERVICES.get(input.AWSServiceName)?.roleName ?? 'AWSServiceRole';
      return { arn: roleArn(domain.accountId, `/aws-service-role/${input.AWSServiceName}/`, input.CustomSuffix ? `${name}_${input.CustomSuffix}` : name) };
    },
    handler: async (domain, _caller, input) => ({ Role: presentRole(domain.accountId, await linkedRoles.createServiceLinkedRole(domain, input), 'create') }),
  },
  DeleteServiceLinkedRole: {
    action: 'iam:DeleteServiceLinkedRole',
    resource: onRole,
    handler: async (domain, _caller, input) => ({ DeletionTaskId: await linkedRoles.deleteServiceLinkedRole(domain, input.RoleName) }),
  },
  GetServiceLinkedRoleDeletionStatus: {
    action: 'iam:GetServiceLinkedRoleDeletionStatus',
    resource: onAccount,
    handler: async (domain, _caller, input) => linkedRoles.getServiceLinkedRoleDeletionStatus(domain, input.DeletionTaskId),
  },
};
