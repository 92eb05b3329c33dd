import type { AuthorizationDetails, GroupDetail, InlinePolicy, PolicyDetail, RoleDetail, UserDetail } from '../domain/authorization-details.js';
import { encodePolicyDocument, presentGroup, presentInstanceProfile, presentPolicy, presentPolicyVersion, presentRole, presentUser } from './presenters.js';

/**
 * GetAccountAuthorizationDetails in the shapes of the IAM model, with the members AWS sends (as
 * recorded from AWS in LocalStack's snapshot tests): the lists of a user, group or role are sent
 * even when empty (Tags too), except a user's UserPolicyList, which AWS leaves out when the user
 * has no inline policy. Members of the entity presenters that the detail shapes lack (a role's
 * MaxSessionDuration, a user's PasswordLastUsed) are dropped by the writer, which follows the model.
 */

const presentInline = (p: InlinePolicy) => ({ PolicyName: p.name, PolicyDocument: encodePolicyDocument(p.document) });

/** A policy's name is the last part of its ARN (arn:aws:iam::…:policy/path/Name). */
const presentAttached = (arn: string) => ({ PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn });

const presentUserDetail = (accountId: string, d: UserDetail) => ({
  ...presentUser(accountId, d.user),
  UserPolicyList: d.inline.length > 0 ? d.inline.map(presentInline) : undefined,
  GroupList: d.groups.map((g) => g.name),
  AttachedManagedPolicies: d.attached.map(presentAttached),
  Tags: d.user.tags,
});

const presentGroupDetail = (accountId: string, d: GroupDetail) => ({
  ...presentGroup(accountId, d.group),
  GroupPolicyList: d.inline.map(presentInline),
  AttachedManagedPolicies: d.attached.map(presentAttached),
});

const presentRoleDetail = (accountId: string, d: RoleDetail) => ({
  ...presentRole(accountId, d.role, 'get'),
  // The profiles as ListInstanceProfiles shows them: without tags, their role embedded.
  InstanceProfileList: d.profiles.map((p) => presentInstanceProfile(accountId, p, 'list')),
  RolePolicyList: d.inline.map(presentInline),
  AttachedManagedPolicies: d.attached.map(presentAttached),
  Tags: d.role.tags,
});

// As GetPolicy shows it (its description when it has one); ManagedPolicyDetail has no Tags member.
const presentPolicyDetail = (d: PolicyDetail) => ({
  ...presentPolicy(d.found, d.attachmentCount, 'get'),
  PolicyVersionList: d.versions.map((v) => presentPolicyVersion(v)),
});

export const presentAuthorizationDetails = (accountId: string, details: AuthorizationDetails) => ({
  UserDetailList: details.users.map((d) => presentUserDetail(accountId, d)),
  GroupDetailList: details.groups.map((d) => presentGroupDetail(accountId, d)),
  RoleDetailList: details.roles.map((d) => presentRoleDetail(accountId, d)),
  Policies: details.policies.map(presentPolicyDetail),
  IsTruncated: details.marker !== undefined,
  Marker: details.marker,
});
