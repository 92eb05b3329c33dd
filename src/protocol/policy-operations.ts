import type { Caller, PolicyOwner } from '../domain/entities.js';
import type { Domain } from '../domain/context.js';
import { requireUser } from '../domain/context.js';
import * as policies from '../domain/policies.js';
import * as groups from '../domain/groups.js';
import { type Operation, onAccount, onGroup, onPolicy, onUser } from './operation.js';
import { encodePolicyDocument, presentGroup, presentPolicy, presentPolicyVersion, presentUser } from './presenters.js';
import { paginate } from '../domain/paging.js';

/** Policies (managed, inline, attachments, boundaries) and groups. */

const userOwner = async (domain: Domain, userName: string): Promise<PolicyOwner> => ({
  kind: 'user',
  id: (await requireUser(domain, userName)).id,
});
const groupOwner = async (domain: Domain, groupName: string): Promise<PolicyOwner> => ({
  kind: 'group',
  id: (await groups.requireGroup(domain, groupName)).id,
});

async function presentFound(domain: Domain, found: policies.AnyManagedPolicy) {
  const count = found.kind === 'aws' ? await domain.store.attachments.countFor(found.policy.arn) : found.policy.attachmentCount;
  return presentPolicy(found, count);
}

/** The same four inline-policy operations for users and groups. */
function inlinePolicyOperations(kind: 'User' | 'Group'): Record<string, Operation> {
  const owner = (domain: Domain, input: { UserName?: string; GroupName?: string }) =>
    kind === 'User' ? userOwner(domain, input.UserName!) : groupOwner(domain, input.GroupName!);
  const resource = kind === 'User' ? onUser : onGroup;
  const nameMember = kind === 'User' ? 'UserName' : 'GroupName';
  return {
    [`Put${kind}Policy`]: {
      action: `iam:Put${kind}Policy`,
      resource,
      handler: async (domain, _caller, input) => policies.putInlinePolicy(domain, await owner(domain, input), input.PolicyName, input.PolicyDocument),
    },
    [`Get${kind}Policy`]: {
      action: `iam:Get${kind}Policy`,
      resource,
      handler: async (domain, _caller, input) => {
        const policy = await policies.getInlinePolicy(domain, await owner(domain, input), input.PolicyName);
        return { [nameMember]: input[nameMember], PolicyName: policy.name, PolicyDocument: encodePolicyDocument(policy.document) };
      },
    },
    [`Delete${kind}Policy`]: {
      action: `iam:Delete${kind}Policy`,
      resource,
      handler: async (domain, _caller, input) => policies.deleteInlinePolicy(domain, await owner(domain, input), input.PolicyName),
    },
    [`List${kind}Policies`]: {
      action: `iam:List${kind}Policies`,
      resource,
      handler: async (domain, _caller, input) => {
        const names = (await domain.store.inlinePolicies.list(await owner(domain, input))).map((p) => p.name);
        const page = paginate(names, input);
        return { PolicyNames: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
      },
    },
    [`Attach${kind}Policy`]: {
      action: `iam:Attach${kind}Policy`,
      resource,
      handler: async (domain, _caller, input) => policies.attachPolicy(domain, await owner(domain, input), input.PolicyArn),
    },
    [`Detach${kind}Policy`]: {
      action: `iam:Detach${kind}Policy`,
      resource,
      handler: async (domain, _caller, input) => policies.detachPolicy(domain, await owner(domain, input), input.PolicyArn),
    },
    [`ListAttached${kind}Policies`]: {
      action: `iam:ListAttached${kind}Policies`,
      resource,
      handler: async (domain, _caller, input) => {
        const page = paginate(await policies.listAttachedPolicies(domain, await owner(domain, input), input.PathPrefix), input);
        return { AttachedPolicies: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
      },
    },
  };
}

export const POLICY_OPERATIONS: Record<string, Operation> = {
  ...inlinePolicyOperations('User'),
  ...inlinePolicyOperations('Group'),

  // Managed policies
  CreatePolicy: {
    action: 'iam:CreatePolicy',
    resource: async (domain, _caller, input) => ({ arn: `arn:aws:iam::${domain.accountId}:policy${input.Path ?? '/'}${input.PolicyName}` }),
    handler: async (domain, _caller, input) => ({ Policy: presentPolicy({ kind: 'customer', policy: await policies.createPolicy(domain, input) }, 0) }),
  },
  GetPolicy: {
    action: 'iam:GetPolicy',
    resource: onPolicy,
    handler: async (domain, _caller, input) => ({ Policy: await presentFound(domain, await policies.getPolicy(domain, input.PolicyArn)) }),
  },
  ListPolicies: {
    action: 'iam:ListPolicies',
    resource: onAccount,
    handler: async (domain, _caller, input) => {
      const found = await policies.listPolicies(domain, input);
      const page = paginate(await Promise.all(found.map((f) => presentFound(domain, f))), input);
      return { Policies: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
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
    resource: onGroup,
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
  ListGroups: {
    action: 'iam:ListGroups',
    resource: onAccount,
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
