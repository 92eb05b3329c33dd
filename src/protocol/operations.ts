import { callerArn, targetUserName } from '../domain/context.js';
import { rootArn, userArn } from '../domain/arn.js';
import * as users from '../domain/users.js';
import * as accessKeys from '../domain/access-keys.js';
import * as loginProfiles from '../domain/login-profiles.js';
import * as accountPasswordPolicy from '../domain/account-password-policy.js';
import { validationError } from '../domain/errors.js';
import { presentAccessKeyMetadata, presentLoginProfile, presentPasswordPolicy, presentUser } from './presenters.js';

import { type OperationTable, onAccount, onNewUser, onOwnAccessKeys, onPathPrefix, onUser } from './operation.js';
import { POLICY_OPERATIONS } from './policy-operations.js';
import { REPORT_OPERATIONS } from './report-operations.js';
import { INSTANCE_PROFILE_OPERATIONS, ROLE_OPERATIONS } from './role-operations.js';
import { AUTHORIZATION_DETAILS_OPERATIONS } from './authorization-details-operations.js';
import { USER_CREDENTIAL_OPERATIONS } from './user-credential-operations.js';
import { ACCOUNT_ALIAS_OPERATIONS, MFA_OPERATIONS } from './mfa-operations.js';
import { SERVER_CERTIFICATE_OPERATIONS } from './server-certificate-operations.js';
import { STANDALONE_ACCOUNT_OPERATIONS } from './standalone-operations.js';
import { OUTBOUND_FEDERATION_OPERATIONS } from './outbound-federation-operations.js';
import { ACCESS_ADVISOR_OPERATIONS } from './access-advisor-operations.js';
import { OIDC_PROVIDER_OPERATIONS, SAML_PROVIDER_OPERATIONS } from './identity-provider-operations.js';

/**
 * The operation table: one entry per IAM action iamd serves (see Operation). This file holds
 * users, access keys, login profiles and the password policy; user-credential-operations.ts,
 * policy-operations.ts, role-operations.ts, mfa-operations.ts, server-certificate-operations.ts,
 * standalone-operations.ts and report-operations.ts hold the rest.
 */
const CORE_OPERATIONS: OperationTable = {
  // Users
  CreateUser: {
    action: 'iam:CreateUser',
    resource: onNewUser,
    handler: async (domain, _caller, input) => ({ User: presentUser(domain.accountId, await users.createUser(domain, input)) }),
  },
  GetUser: {
    action: 'iam:GetUser',
    resource: onUser,
    handler: async (domain, caller, input) => {
      const user = await users.getUser(domain, caller, input.UserName);
      if (user !== 'root') return { User: presentUser(domain.accountId, user) };
      // The root user, as AWS describes it: the account id as UserId and the root ARN.
      const created = new Date(Number((await domain.store.settings.get('account_created_at')) ?? 0));
      return { User: { UserId: domain.accountId, Arn: rootArn(domain.accountId), CreateDate: created } };
    },
  },
  UpdateUser: {
    action: 'iam:UpdateUser',
    resource: onUser,
    handler: async (domain, _caller, input) => users.updateUser(domain, input),
  },
  DeleteUser: {
    action: 'iam:DeleteUser',
    resource: onUser,
    handler: async (domain, _caller, input) => users.deleteUser(domain, input.UserName),
  },
  ListUsers: {
    action: 'iam:ListUsers',
    resource: onPathPrefix('user'),
    handler: async (domain, _caller, input) => {
      const page = await users.listUsers(domain, input);
      return {
        Users: page.items.map((u) => presentUser(domain.accountId, u, false)),
        IsTruncated: page.nextMarker !== undefined,
        Marker: page.nextMarker,
      };
    },
  },
  TagUser: {
    action: 'iam:TagUser',
    resource: onUser,
    handler: async (domain, _caller, input) => users.tagUser(domain, input),
  },
  UntagUser: {
    action: 'iam:UntagUser',
    resource: onUser,
    handler: async (domain, _caller, input) => users.untagUser(domain, input),
  },
  ListUserTags: {
    action: 'iam:ListUserTags',
    resource: onUser,
    handler: async (domain, _caller, input) => users.listUserTags(domain, input),
  },

  // Access keys
  CreateAccessKey: {
    action: 'iam:CreateAccessKey',
    resource: onOwnAccessKeys,
    handler: async (domain, caller, input) => {
      const { key, user } = await accessKeys.createAccessKey(domain, caller, input.UserName);
      return { AccessKey: { ...presentAccessKeyMetadata(key, user), SecretAccessKey: key.secret } };
    },
  },
  ListAccessKeys: {
    action: 'iam:ListAccessKeys',
    resource: onOwnAccessKeys,
    handler: async (domain, caller, input) => {
      const { keys, user } = await accessKeys.listAccessKeys(domain, caller, input.UserName);
      return { AccessKeyMetadata: keys.map((k) => presentAccessKeyMetadata(k, user)), IsTruncated: false };
    },
  },
  UpdateAccessKey: {
    action: 'iam:UpdateAccessKey',
    resource: onUser,
    handler: async (domain, caller, input) => accessKeys.updateAccessKey(domain, caller, input),
  },
  DeleteAccessKey: {
    action: 'iam:DeleteAccessKey',
    resource: onOwnAccessKeys,
    handler: async (domain, caller, input) => accessKeys.deleteAccessKey(domain, caller, input),
  },
  GetAccessKeyLastUsed: {
    action: 'iam:GetAccessKeyLastUsed',
    resource: async (domain, caller, input) => {
      // The resource is the key's owner; an unknown key is checked against the caller.
      const key = await domain.store.accessKeys.get(input.AccessKeyId);
      const user = key?.userId ? await domain.store.users.getById(key.userId) : undefined;
      if (user) return { arn: userArn(domain.accountId, user.path, user.name), tags: user.tags };
      return { arn: key?.userId === null ? rootArn(domain.accountId) : callerArn(caller) };
    },
    handler: async (domain, caller, input) => {
      const { key, user } = await accessKeys.getAccessKeyLastUsed(domain, caller, input.AccessKeyId);
      return {
        UserName: user?.name,
        AccessKeyLastUsed: key.lastUsed
          ? { LastUsedDate: key.lastUsed.at, ServiceName: key.lastUsed.service, Region: key.lastUsed.region }
          : { ServiceName: 'N/A', Region: 'N/A' },
      };
    },
  },

  // Login profiles
  CreateLoginProfile: {
    action: 'iam:CreateLoginProfile',
    resource: onUser,
    handler: async (domain, caller, input) => {
      const { profile, user } = await loginProfiles.createLoginProfile(domain, {
        ...input,
        UserName: targetUserName(caller, input.UserName),
        Password: requirePassword(input.Password),
      });
      return { LoginProfile: presentLoginProfile(profile, user) };
    },
  },
  GetLoginProfile: {
    action: 'iam:GetLoginProfile',
    resource: onUser,
    handler: async (domain, caller, input) => {
      const { profile, user } = await loginProfiles.getLoginProfile(domain, targetUserName(caller, input.UserName));
      return { LoginProfile: presentLoginProfile(profile, user) };
    },
  },
  UpdateLoginProfile: {
    action: 'iam:UpdateLoginProfile',
    resource: onUser,
    handler: async (domain, _caller, input) => loginProfiles.updateLoginProfile(domain, input),
  },
  DeleteLoginProfile: {
    action: 'iam:DeleteLoginProfile',
    resource: onUser,
    handler: async (domain, caller, input) =>
      loginProfiles.deleteLoginProfile(domain, targetUserName(caller, input.UserName)),
  },
  ChangePassword: {
    action: 'iam:ChangePassword',
    // "user <its name>", as the other actions of a user on itself ([inferred]: no recorded AWS denial of ChangePassword names its resource).
    resource: async (_domain, caller) =>
      caller.kind === 'user' ? { arn: callerArn(caller), tags: caller.user.tags, denialName: `user ${caller.user.name}` } : { arn: callerArn(caller) },
    handler: async (domain, caller, input) => loginProfiles.changePassword(domain, caller, input),
  },

  // The account password policy
  UpdateAccountPasswordPolicy: {
    action: 'iam:UpdateAccountPasswordPolicy',
    resource: onAccount,
    handler: async (domain, _caller, input) => accountPasswordPolicy.updateAccountPasswordPolicy(domain, input),
  },
  GetAccountPasswordPolicy: {
    action: 'iam:GetAccountPasswordPolicy',
    resource: onAccount,
    handler: async (domain) => ({ PasswordPolicy: presentPasswordPolicy(await accountPasswordPolicy.getAccountPasswordPolicy(domain)) }),
  },
  DeleteAccountPasswordPolicy: {
    action: 'iam:DeleteAccountPasswordPolicy',
    resource: onAccount,
    handler: async (domain) => accountPasswordPolicy.deleteAccountPasswordPolicy(domain),
  },
};

export const OPERATIONS: Readonly<OperationTable> = {
  ...CORE_OPERATIONS,
  ...USER_CREDENTIAL_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...ROLE_OPERATIONS,
  ...INSTANCE_PROFILE_OPERATIONS,
  ...REPORT_OPERATIONS,
  ...AUTHORIZATION_DETAILS_OPERATIONS,
  ...MFA_OPERATIONS,
  ...ACCOUNT_ALIAS_OPERATIONS,
  ...SERVER_CERTIFICATE_OPERATIONS,
  ...STANDALONE_ACCOUNT_OPERATIONS,
  ...ACCESS_ADVISOR_OPERATIONS,
  ...OIDC_PROVIDER_OPERATIONS,
  ...SAML_PROVIDER_OPERATIONS,
  ...OUTBOUND_FEDERATION_OPERATIONS,
};

/**
 * The current model lets CreateLoginProfile omit Password (for AWS Organizations' root-access
 * management, which iamd does not have); an IAM user's login profile always needs one.
 */
function requirePassword(password: string | undefined): string {
  if (password === undefined) {
    throw validationError([`Value null at 'password' failed to satisfy constraint: Member must not be null`]);
  }
  return password;
}
