import type { AccessKey, LoginProfile, User } from '../domain/entities.js';
import { userArn } from '../domain/arn.js';
import type { PasswordPolicy } from '../domain/password-policy.js';

/** Domain entities in the shapes of the IAM model (PascalCase members, as AWS writes them). */

export const presentUser = (accountId: string, user: User, withTags = true) => ({
  Path: user.path,
  UserName: user.name,
  UserId: user.id,
  Arn: userArn(accountId, user.path, user.name),
  CreateDate: user.createdAt,
  PasswordLastUsed: user.passwordLastUsed ?? undefined,
  // ListUsers leaves tags out, as AWS does; GetUser/CreateUser include them when there are any.
  Tags: withTags && user.tags.length > 0 ? user.tags : undefined,
});

export const presentLoginProfile = (profile: LoginProfile, user: User) => ({
  UserName: user.name,
  CreateDate: profile.createdAt,
  PasswordResetRequired: profile.passwordResetRequired,
});

/** The owner's name: root keys have none, so AWS leaves UserName out. */
export const presentAccessKeyMetadata = (key: AccessKey, user: User | null) => ({
  UserName: user?.name,
  AccessKeyId: key.id,
  Status: key.status,
  CreateDate: key.createdAt,
});

/** Members never set stay absent; ExpirePasswords is derived from MaxPasswordAge, as AWS does. */
export const presentPasswordPolicy = (p: PasswordPolicy) => ({
  MinimumPasswordLength: p.minimumPasswordLength,
  RequireSymbols: p.requireSymbols,
  RequireNumbers: p.requireNumbers,
  RequireUppercaseCharacters: p.requireUppercaseCharacters,
  RequireLowercaseCharacters: p.requireLowercaseCharacters,
  AllowUsersToChangePassword: p.allowUsersToChangePassword,
  ExpirePasswords: (p.maxPasswordAge ?? 0) > 0,
  MaxPasswordAge: p.maxPasswordAge,
  PasswordReusePrevention: p.passwordReusePrevention,
  HardExpiry: p.hardExpiry,
});
