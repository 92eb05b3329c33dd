/**
 * `iamd/client`: a resource-style layer over `@aws-sdk/client-iam`, the way boto3's
 * `boto3.resource('iam')` works, for iamd and for AWS alike: every resource of boto3's IAM
 * resource model, with its actions, references, collections and botocore's waiters.
 *
 * ```ts
 * import { IAM, isNoSuchEntity } from 'iamd/client';
 * const iam = new IAM({ endpoint: 'http://127.0.0.1:4599' });
 * await iam.LoginProfile('alice').update({ Password: 'New-Passw0rd!', PasswordResetRequired: true });
 * ```
 *
 * See docs/client.md.
 *
 * @packageDocumentation
 */
export { IAM, type IAMOptions, type PagingParams } from './iam.js';
export { Resource } from './resource.js';
export { User } from './user.js';
export { LoginProfile } from './login-profile.js';
export { AccessKey, type AccessKeyData } from './access-key.js';
export { AccountPasswordPolicy } from './account-password-policy.js';
export { Group } from './group.js';
export { Policy, type AttachedEntitiesFilter } from './policy.js';
export { UserPolicy, type UserPolicyData } from './user-policy.js';
export { AccessKeyPair } from './access-key-pair.js';
export { AccountSummary, type AccountSummaryData } from './account-summary.js';
export { AssumeRolePolicy, type AssumeRolePolicyData } from './assume-role-policy.js';
export { CurrentUser } from './current-user.js';
export { GroupPolicy, type GroupPolicyData } from './group-policy.js';
export { InstanceProfile } from './instance-profile.js';
export { MfaDevice, type MfaCodes } from './mfa-device.js';
export { PolicyVersion } from './policy-version.js';
export { Role } from './role.js';
export { RolePolicy, type RolePolicyData } from './role-policy.js';
export { SamlProvider, type SamlProviderData } from './saml-provider.js';
export { ServerCertificate } from './server-certificate.js';
export { SigningCertificate } from './signing-certificate.js';
export { VirtualMfaDevice } from './virtual-mfa-device.js';
export { Collection, ResourceIterable, type Page, type PageFetcher } from './collections.js';
export { waitFor, DEFAULT_WAITER_DELAY_MS, DEFAULT_WAITER_MAX_ATTEMPTS, type WaiterOptions } from './waiters.js';
export {
  IamClientError,
  ResourceNotLoadedError,
  WaiterTimeoutError,
  toIamClientError,
  hasErrorCode,
  isNoSuchEntity,
  isEntityAlreadyExists,
  isDeleteConflict,
  isLimitExceeded,
  isValidationError,
  isPasswordPolicyViolation,
  isAccessDenied,
  isMalformedPolicyDocument,
  type IamErrorCode,
} from './errors.js';
