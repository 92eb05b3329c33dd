import type { Caller, PolicyOwner } from '../domain/entities.js';
import type { Domain } from '../domain/context.js';
import { requireUser } from '../domain/context.js';
import * as policies from '../domain/policies.js';
import * as groups from '../domain/groups.js';
import * as roles from '../domain/roles.js';
import { type Operation, type OperationTable, creating, onGroup, onNewPolicy, onPathPrefix, onPolicy, onPolicyPath, onRole, onUser } from './operation.js';
import type { IamInputs } from './model/inputs.js';
import { encodePolicyDocument, presentGroup, presentPolicy, presentPolicyVersion, presentUser } from './presenters.js';
import { paginate } from '../domain/paging.js';
import { byPolicyTagOrder, tagPage, tagResource, untagResource } from '../domain/tags.js';

/** Policies (managed, inline, attachments, boundaries) and groups. */

const userOwner = async (domain: Domain, userName: string): Promise<PolicyOwner> => {
  const user = await requireUser(domain, userName);
  return { kind: 'user', id: user.id, name: user.name };
};
const groupOwner = async (domain: Domain, groupName: string): Promise<PolicyOwner> => {
  const group = await groups.requireGroup(domain, groupName);
  return { kind: 'group', id: group.id, name: group.name };
};

async function presentFound(domain: Domain, found: policies.AnyManagedPolicy, view: 'get' | 'list') {
  const count = found.kind === 'aws' ? await domain.store.attachments.countFor(found.policy.arn) : found.policy.attachmentCount;
  return presentPolicy(found, count, view);
}

/** The user's, group's or role's operation of the same name: its input is any of theirs. */
type ForPrincipal<U extends keyof IamInputs, G extends keyof IamInputs, R extends keyof IamInputs> = Operation<
  IamInputs[U] | IamInputs[G] | IamInputs[R]
>;
type OwnerInput = { UserName?: string; GroupName?: string; RoleName?: string };

const roleOwner = async (domain: Domain, roleName: string, change: boolean): Promise<PolicyOwner> => {
  const role = await roles.requireRole(domain, roleName);
  if (change) roles.refuseIfServiceLinked(role); // only its service may change a service-linked role's policies
  return { kind: 'role', id: role.id, name: role.name };
};

/** The same inline-policy and attachment operations for users, groups and roles. */
function inlinePolicyOperations(kind: 'User' | 'Group' | 'Role'): OperationTable {
  const nameMember = `${kind}Name` as const;
  const ownerName = (input: OwnerInput) => input[nameMember]!;
  const owner = (domain: Domain, input: OwnerInput, change = false) =>
    kind === 'User'
      ? userOwner(domain, ownerName(input))
      : kind === 'Group'
        ? groupOwner(domain, ownerName(input))
        : roleOwner(domain, ownerName(input), change);
  const resource = (domain: Domain, caller: Caller, input: OwnerInput) =>
    kind === 'User'
      ? onUser(domain, caller, input)
      : kind === 'Group'
        ? onGroup(domain, caller, { GroupName: ownerName(input) })
        : onRole(domain, caller, { RoleName: ownerName(input) });
  const put: ForPrincipal<'PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy'> = {
    action: `iam:Put${kind}Policy`,
    resource,
    handler: async (domain, _caller, input) => policies.putInlinePolicy(domain, await owner(domain, input, true), input.PolicyName, input.PolicyDocument),
  };
  const get: ForPrincipal<'GetUserPolicy', 'GetGroupPolicy', 'GetRolePolicy'> = {
    action: `iam:Get${kind}Policy`,
    resource,
    handler: async (domain, _caller, input) => {
      const policy = await policies.getInlinePolicy(domain, await owner(domain, input), input.PolicyName);
      return { [nameMember]: ownerName(input), PolicyName: policy.name, PolicyDocument: encodePolicyDocument(policy.document) };
    },
  };
  const remove: ForPrincipal<'DeleteUserPolicy', 'DeleteGroupPolicy', 'DeleteRolePolicy'> = {
    action: `iam:Delete${kind}Policy`,
    resource,
    handler: async (domain, _caller, input) => policies.deleteInlinePolicy(domain, await owner(domain, input, true), input.PolicyName),
  };
  const list: ForPrincipal<'ListUserPolicies', 'ListGroupPolicies', 'ListRolePolicies'> = {
    action: `iam:List${kind}Policies`,
    resource,
    handler: async (domain, _caller, input) => {
      const names = (await domain.store.inlinePolicies.list(await owner(domain, input))).map((p) => p.name);
      const page = paginate(names, input);
      return { PolicyNames: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
  const attach: ForPrincipal<'AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy'> = {
    action: `iam:Attach${kind}Policy`,
    resource,
    handler: async (domain, _caller, input) => policies.attachPolicy(domain, await owner(domain, input, true), input.PolicyArn),
  };
  const detach: ForPrincipal<'DetachUserPolicy', 'DetachGroupPolicy', 'DetachRolePolicy'> = {
    action: `iam:Detach${kind}Policy`,
    resource,
    handler: async (domain, _caller, input) => policies.detachPolicy(domain, await owner(domain, input, true), input.PolicyArn),
  };
  const listAttached: ForPrincipal<'ListAttachedUserPolicies', 'ListAttachedGroupPolicies', 'ListAttachedRolePolicies'> = {
    action: `iam:ListAttached${kind}Policies`,
    resource,
    handler: async (domain, _caller, input) => {
      const page = paginate(await policies.listAttachedPolicies(domain, await owner(domain, input), input.PathPrefix), input);
      return { AttachedPolicies: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
  // The names are built from `kind`, which the compiler cannot follow into the table's keys.
  return {
    [`Put${kind}Policy`]: put,
    [`Get${kind}Policy`]: get,
    [`Delete${kind}Policy`]: remove,
    [`List${kind}Policies`]: list,
    [`Attach${kind}Policy`]: attach,
    [`Detach${kind}Policy`]: detach,
    [`ListAttached${kind}Policies`]: listAttached,
  } as OperationTable;
}

export const POLICY_OPERATIONS: OperationTable = {
  ...inlinePolicyOperations('User'),
  ...inlinePolicyOperations('Group'),
  ...inlinePolicyOperations('Role'),

  // Managed policies
  CreatePolicy: {
    action: 'iam:CreatePolicy',
    resource: onNewPolicy,
    handler: async (domain, _caller, input) => ({
      Policy: presentPolicy({ kind: 'customer', policy: await policies.createPolicy(domain, input) }, 0, 'create'),
    }),
  },
  GetPolicy: {
    action: 'iam:GetPolicy',
    resource: onPolicy,
    handler: async (domain, _caller, input) => ({ Policy: await presentFound(domain, await policies.getPolicy(domain, input.PolicyArn), 'get') }),
  },
  ListPolicies: {
    action: 'iam:ListPolicies',
    resource: onPolicyPath,
    handler: async (domain, _caller, input) => {
      // Only the page's policies are read and presented; the attachment counts of its AWS ones
      // are one read for the page.
      const page = await policies.listPolicies(domain, input);
      const awsArns = page.items.flatMap((f) => (f.kind === 'aws' ? [f.policy.arn] : []));
      const counts = awsArns.length ? await domain.store.attachments.countsFor(awsArns) : new Map<string, number>();
      const Policies = page.items.map((f) => presentPolicy(f, f.kind === 'aws' ? (counts.get(f.policy.arn) ?? 0) : f.policy.attachmentCount, 'list'));
      return { Policies, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  },
  DeletePolicy: {
    action: 'iam:DeletePolicy',
    resource: onPolicy,
    handler: async (domain, _caller, input) => policies.deletePolicy(domain, input.PolicyArn),
  },
  GetPolicyVersion: {
    action: 'iam:GetPolicyVersion',
    resource: onPolicy,
    handler: async (domain, _caller, input) => ({
      PolicyVersion: presentPolicyVersion(await policies.getPolicyVersion(domain, input.PolicyArn, input.VersionId)),
    }),
  },
  CreatePolicyVersion: {
    action: 'iam:CreatePolicyVersion',
    resource: onPolicy,
    handler: async (domain, _caller, input) => ({ PolicyVersion: presentPolicyVersion(await policies.createPolicyVersion(domain, input), false) }),
  },
  ListPolicyVersions: {
    action: 'iam:ListPolicyVersions',
    resource: onPolicy,
    handler: async (domain, _caller, input) => {
      const versions = (await policies.listPolicyVersions(domain, input.PolicyArn)).map((v) => presentPolicyVersion(v, false));
      const page = paginate(versions, input);
      return { Versions: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  },
  DeletePolicyVersion: {
    action: 'iam:DeletePolicyVersion',
    resource: onPolicy,
    handler: async (domain, _caller, input) => policies.deletePolicyVersion(domain, input.PolicyArn, input.VersionId),
  },
  SetDefaultPolicyVersion: {
    action: 'iam:SetDefaultPolicyVersion',
    resource: onPolicy,
    handler: async (domain, _caller, input) => policies.setDefaultPolicyVersion(domain, input.PolicyArn, input.VersionId),
  },

  TagPolicy: {
    action: 'iam:TagPolicy',
    resource: onPolicy,
    handler: async (domain, _caller, input) =>
      tagResource(domain.store.managedPolicies, input.PolicyArn, input.Tags, 'Policy', () => policies.policyNotFound(input.PolicyArn)),
  },
  UntagPolicy: {
    action: 'iam:UntagPolicy',
    resource: onPolicy,
    handler: async (domain, _caller, input) =>
      untagResource(domain.store.managedPolicies, input.PolicyArn, input.TagKeys, () => policies.policyNotFound(input.PolicyArn)),
  },
  ListPolicyTags: {
    action: 'iam:ListPolicyTags',
    resource: onPolicy,
    handler: async (domain, _caller, input) => {
      const found = await policies.findManagedPolicy(domain, input.PolicyArn);
      if (!found) throw policies.policyNotFound(input.PolicyArn);
      return tagPage(byPolicyTagOrder(found.kind === 'customer' ? found.policy.tags : []), input);
    },
  },
  ListEntitiesForPolicy: {
    action: 'iam:ListEntitiesForPolicy',
    resource: onPolicy,
    handler: async (domain, _caller, input) => {
      const page = await policies.listEntitiesForPolicy(domain, input);
      const of = (kind: 'user' | 'group' | 'role') => page.items.filter((e) => e.kind === kind);
      return {
        PolicyUsers: of('user').map((e) => ({ UserName: e.name, UserId: e.id })),
        PolicyGroups: of('group').map((e) => ({ GroupName: e.name, GroupId: e.id })),
        PolicyRoles: of('role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  },

  // Permissions boundaries
  PutUserPermissionsBoundary: {
    action: 'iam:PutUserPermissionsBoundary',
    resource: onUser,
    handler: async (domain, _caller, input) => policies.putUserPermissionsBoundary(domain, input.UserName, input.PermissionsBoundary),
  },
  DeleteUserPermissionsBoundary: {
    action: 'iam:DeleteUserPermissionsBoundary',
    resource: onUser,
    handler: async (domain, _caller, input) => policies.deleteUserPermissionsBoundary(domain, input.UserName),
  },

  // Groups
  CreateGroup: {
    action: 'iam:CreateGroup',
    resource: creating(onGroup),
    handler: async (domain, _caller, input) => ({ Group: presentGroup(domain.accountId, await groups.createGroup(domain, input)) }),
  },
  GetGroup: {
    action: 'iam:GetGroup',
    resource: onGroup,
    handler: async (domain, _caller, input) => {
      const { group, users } = await groups.getGroup(domain, input.GroupName);
      const page = paginate(users.map((u) => presentUser(domain.accountId, u, false)), input);
      return { Group: presentGroup(domain.accountId, group), Users: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  },
  UpdateGroup: {
    action: 'iam:UpdateGroup',
    resource: onGroup,
    handler: async (domain, _caller, input) => groups.updateGroup(domain, input),
  },
  ListGroups: {
    action: 'iam:ListGroups',
    resource: onPathPrefix('group'),
    handler: async (domain, _caller, input) => {
      const page = await groups.listGroups(domain, input);
      return { Groups: page.items.map((g) => presentGroup(domain.accountId, g)), IsTruncated: page.nextMarker !== undefined, Marker: page.nextMarker };
    },
  },
  DeleteGroup: {
    action: 'iam:DeleteGroup',
    resource: onGroup,
    handler: async (domain, _caller, input) => groups.deleteGroup(domain, input.GroupName),
  },
  AddUserToGroup: {
    action: 'iam:AddUserToGroup',
    resource: onGroup,
    handler: async (domain, _caller, input) => groups.addUserToGroup(domain, input.GroupName, input.UserName),
  },
  RemoveUserFromGroup: {
    action: 'iam:RemoveUserFromGroup',
    resource: onGroup,
    handler: async (domain, _caller, input) => groups.removeUserFromGroup(domain, input.GroupName, input.UserName),
  },
  ListGroupsForUser: {
    action: 'iam:ListGroupsForUser',
    resource: onUser,
    handler: async (domain, _caller: Caller, input) => {
      const page = paginate((await groups.listGroupsForUser(domain, input.UserName)).map((g) => presentGroup(domain.accountId, g)), input);
      return { Groups: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  },
};
