import * as roles from '../domain/roles.js';
import { tagPage, tagResource, untagResource } from '../domain/tags.js';
import { type OperationTable, onAccount, onRole } from './operation.js';
import { presentRole } from './presenters.js';

/** Roles (their inline and attached policies are in policy-operations.ts, with users' and groups'). */
export const ROLE_OPERATIONS: OperationTable = {
  CreateRole: {
    action: 'iam:CreateRole',
    resource: onRole,
    handler: async (domain, _caller, input) => ({ Role: presentRole(domain.accountId, await roles.createRole(domain, input)) }),
  },
  GetRole: {
    action: 'iam:GetRole',
    resource: onRole,
    handler: async (domain, _caller, input) => ({ Role: presentRole(domain.accountId, await roles.requireRole(domain, input.RoleName)) }),
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
    handler: async (domain, _caller, input) => ({ Role: presentRole(domain.accountId, await roles.updateRole(domain, input)) }),
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
    resource: onAccount,
    handler: async (domain, _caller, input) => {
      const page = await roles.listRoles(domain, input);
      return {
        Roles: page.items.map((r) => presentRole(domain.accountId, r, 'list')),
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
