import type { Caller } from '../domain/entities.js';
import { type Domain, callerArn, targetUserName } from '../domain/context.js';
import { rootArn, userArn } from '../domain/arn.js';
import * as users from '../domain/users.js';
import * as accessKeys from '../domain/access-keys.js';
import * as loginProfiles from '../domain/login-profiles.js';
import * as accountPasswordPolicy from '../domain/account-password-policy.js';
import { validationError } from './query/read-input.js';
import { presentAccessKeyMetadata, presentLoginProfile, presentPasswordPolicy, presentUser } from './presenters.js';

/**
 * The operation table: one entry per IAM action iamd serves. The input and output shapes come
 * from the service model under the same name; an entry adds who may call it (the action and the
 * resource it acts on, for authorization) and the handler that calls the domain.
 *
 * Handlers receive input already read and validated against the model, so its members have the
 * types and constraints the model declares.
 */
export interface Operation {
  /** The IAM action checked by the authorizer, e.g. iam:UpdateLoginProfile. */
  action: string;
  /** The ARN of the resource acted on (a user's ARN includes its path, so it may need a lookup). */
  resource(domain: Domain, caller: Caller, input: any): Promise<string>;
  handler(domain: Domain, caller: Caller, input: any): Promise<Record<string, unknown> | void>;
}

/** The ARN of the user named in the input (or the caller); a missing user gets the path-less ARN. */
async function targetUserArn(domain: Domain, caller: Caller, userName: string | undefined): Promise<string> {
  if (userName === undefined && caller.kind === 'root') return rootArn(domain.accountId);
  const name = targetUserName(caller, userName);
  if (caller.kind === 'user' && caller.user.name.toLowerCase() === name.toLowerCase()) return callerArn(caller);
  const user = await domain.store.users.getByName(name);
  return userArn(domain.accountId, user?.path ?? '/', user?.name ?? name);
}

const onUser = async (domain: Domain, caller: Caller, input: { UserName?: string }) =>
  targetUserArn(domain, caller, input.UserName);
const onNewUser = async (domain: Domain, _caller: Caller, input: { UserName: string; Path?: string }) =>
  userArn(domain.accountId, input.Path ?? '/', input.UserName);
const onAccount = async () => '*';

export const OPERATIONS: Record<string, Operation> = {
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
    resource: onAccount,
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
    handler: async (domain, _caller, input) => {
      const page = await users.listUserTags(domain, input);
      return { Tags: page.tags, IsTruncated: page.nextMarker !== undefined, Marker: page.nextMarker };
    },
  },

  // Access keys
  CreateAccessKey: {
    action: 'iam:CreateAccessKey',
    resource: onUser,
    handler: async (domain, caller, input) => {
      const { key, user } = await accessKeys.createAccessKey(domain, caller, input.UserName);
      return { AccessKey: { ...presentAccessKeyMetadata(key, user), SecretAccessKey: key.secret } };
    },
  },
  ListAccessKeys: {
    action: 'iam:ListAccessKeys',
    resource: onUser,
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
    resource: onUser,
    handler: async (domain, caller, input) => accessKeys.deleteAccessKey(domain, caller, input),
  },
  GetAccessKeyLastUsed: {
    action: 'iam:GetAccessKeyLastUsed',
    resource: async (domain, caller, input) => {
      // The resource is the key's owner; an unknown key is checked against the caller.
      const key = await domain.store.accessKeys.get(input.AccessKeyId);
      if (!key) return callerArn(caller);
      if (key.userId === null) return rootArn(domain.accountId);
      const user = await domain.store.users.getById(key.userId);
      return user ? userArn(domain.accountId, user.path, user.name) : callerArn(caller);
    },
    handler: async (domain, _caller, input) => {
      const { key, user } = await accessKeys.getAccessKeyLastUsed(domain, input.AccessKeyId);
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
    resource: async (_domain, caller) => callerArn(caller),
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
