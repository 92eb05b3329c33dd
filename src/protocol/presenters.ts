import type {
  AccessKey,
  Group,
  InstanceProfile,
  LoginProfile,
  MfaDevice,
  PolicyVersion,
  Role,
  ServiceSpecificCredential,
  SigningCertificate,
  SshPublicKey,
  User,
} from '../domain/entities.js';
import { credentialKind, effectiveStatus } from '../domain/service-credentials.js';
import type { AnyManagedPolicy } from '../domain/policies.js';
import { groupArn, instanceProfileArn, roleArn, userArn } from '../domain/arn.js';
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
  PermissionsBoundary:
    withTags && user.permissionsBoundary !== null
      ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: user.permissionsBoundary }
      : undefined,
});

export const presentGroup = (accountId: string, group: Group) => ({
  Path: group.path,
  GroupName: group.name,
  GroupId: group.id,
  Arn: groupArn(accountId, group.path, group.name),
  CreateDate: group.createdAt,
});

/** IAM returns policy documents URL-encoded (RFC 3986); botocore decodes them, the JS SDK does not. */
export const encodePolicyDocument = (document: string) => encodeURIComponent(document);

/**
 * A managed policy as AWS shows it: 'get' (GetPolicy) with its description and tags; 'create'
 * (CreatePolicy) with its tags but, as AWS answers, without the description; 'list' (ListPolicies)
 * with neither.
 */
export const presentPolicy = (found: AnyManagedPolicy, attachmentCount: number, view: 'get' | 'create' | 'list' = 'get') =>
  found.kind === 'aws'
    ? {
        PolicyName: found.policy.name,
        PolicyId: found.policy.id ?? policyIdOfAws(found.policy.arn),
        Arn: found.policy.arn,
        Path: found.policy.path,
        DefaultVersionId: found.policy.versionId,
        AttachmentCount: attachmentCount,
        PermissionsBoundaryUsageCount: 0,
        IsAttachable: true,
        Description: view === 'get' ? found.policy.description : undefined,
        CreateDate: found.policy.createDate,
        UpdateDate: found.policy.updateDate,
      }
    : {
        PolicyName: found.policy.name,
        PolicyId: found.policy.id,
        Arn: found.policy.arn,
        Path: found.policy.path,
        DefaultVersionId: `v${found.policy.defaultVersion}`,
        AttachmentCount: found.policy.attachmentCount,
        PermissionsBoundaryUsageCount: found.policy.permissionsBoundaryUsageCount,
        IsAttachable: true,
        Description: view === 'get' ? (found.policy.description ?? undefined) : undefined,
        CreateDate: found.policy.createdAt,
        UpdateDate: found.policy.updatedAt,
        // GetPolicy always has Tags (empty when none); CreatePolicy only when given.
        Tags: view === 'get' || (view === 'create' && found.policy.tags.length > 0) ? found.policy.tags : undefined,
      };

/** A stable ANPA id for an AWS managed policy whose real one the catalogue lacks, derived from its ARN. */
function policyIdOfAws(arn: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let h = 2166136261;
  let id = 'ANPA';
  for (let i = 0; id.length < 21; i++) {
    h = Math.imul(h ^ arn.charCodeAt(i % arn.length), 16777619) >>> 0;
    id += alphabet[h & 31];
  }
  return id;
}

export const presentPolicyVersion = (v: { version: PolicyVersion; isDefault: boolean }, withDocument = true) => ({
  Document: withDocument ? encodePolicyDocument(v.version.document) : undefined,
  VersionId: `v${v.version.version}`,
  IsDefaultVersion: v.isDefault,
  CreateDate: v.version.createdAt,
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

/**
 * A role as AWS shows it (recorded responses): 'get' (GetRole) has everything, RoleLastUsed always
 * (empty until a session uses the role), Tags when there are any; 'create' (CreateRole) has the
 * boundary and tags but no description, session duration or last use; 'list' (ListRoles) has the
 * description and session duration but no boundary, tags or last use; 'description'
 * (UpdateRoleDescription) the description only; 'embedded' (inside an instance profile) the
 * role's identity and trust policy.
 */
export type RoleView = 'get' | 'create' | 'list' | 'description' | 'embedded';

export const presentRole = (accountId: string, role: Role, view: RoleView = 'get') => ({
  Path: role.path,
  RoleName: role.name,
  RoleId: role.id,
  Arn: roleArn(accountId, role.path, role.name),
  CreateDate: role.createdAt,
  AssumeRolePolicyDocument: encodePolicyDocument(role.trustPolicy),
  Description: view === 'get' || view === 'list' || view === 'description' ? (role.description ?? undefined) : undefined,
  MaxSessionDuration: view === 'get' || view === 'list' ? role.maxSessionDuration : undefined,
  PermissionsBoundary:
    (view === 'get' || view === 'create') && role.permissionsBoundary !== null
      ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: role.permissionsBoundary }
      : undefined,
  Tags: (view === 'get' || view === 'create') && role.tags.length > 0 ? role.tags : undefined,
  RoleLastUsed: view === 'get' ? (role.lastUsed ? { LastUsedDate: role.lastUsed.at, Region: role.lastUsed.region } : {}) : undefined,
});

/** GetInstanceProfile always has Tags (empty when none); the list operations never do. */
export const presentInstanceProfile = (accountId: string, profile: InstanceProfile, view: 'get' | 'create' | 'list') => ({
  Path: profile.path,
  InstanceProfileName: profile.name,
  InstanceProfileId: profile.id,
  Arn: instanceProfileArn(accountId, profile.path, profile.name),
  CreateDate: profile.createdAt,
  Roles: profile.roles.map((r) => presentRole(accountId, r, 'embedded')),
  Tags: view === 'get' || (view === 'create' && profile.tags.length > 0) ? profile.tags : undefined,
});

/** ListSSHPublicKeys's items: no body and no fingerprint. */
export const presentSshPublicKeyMetadata = (key: SshPublicKey, user: User) => ({
  UserName: user.name,
  SSHPublicKeyId: key.id,
  Status: key.status,
  UploadDate: key.uploadedAt,
});

/** Upload and Get: the metadata plus the fingerprint and the body (in the encoding asked for). */
export const presentSshPublicKey = (key: SshPublicKey, user: User, body: string) => ({
  ...presentSshPublicKeyMetadata(key, user),
  Fingerprint: key.fingerprint,
  SSHPublicKeyBody: body,
});

/** Upload and List alike show the body; the root user's certificates have no UserName (as its access keys). */
export const presentSigningCertificate = (cert: SigningCertificate, user: User | null) => ({
  UserName: user?.name,
  CertificateId: cert.id,
  CertificateBody: cert.body,
  Status: cert.status,
  UploadDate: cert.uploadedAt,
});

/**
 * A service-specific credential. The user-name-and-password kind shows ServiceUserName; an API key
 * (Bedrock, CloudWatch Logs) its ServiceCredentialAlias and, when it has one, its ExpirationDate.
 * `secret` only from Create and Reset.
 */
export const presentServiceCredential = (credential: ServiceSpecificCredential, userName: string, now: Date, secret?: string) => {
  const apiKey = credentialKind(credential.serviceName) === 'api-key';
  return {
    CreateDate: credential.createdAt,
    ExpirationDate: credential.expiresAt ?? undefined,
    ServiceName: credential.serviceName,
    ServiceUserName: apiKey ? undefined : credential.serviceUserName,
    ServicePassword: apiKey ? undefined : secret,
    ServiceCredentialAlias: apiKey ? credential.serviceUserName : undefined,
    ServiceCredentialSecret: apiKey ? secret : undefined,
    ServiceSpecificCredentialId: credential.id,
    UserName: userName,
    Status: effectiveStatus(credential, now),
  };
};
/**
 * A virtual MFA device as ListVirtualMFADevices shows it (recorded from AWS): the serial number,
 * and for an assigned device when it was enabled and its user, as ListUsers shows users. Never
 * the seed or the QR code: only CreateVirtualMFADevice's answer has those.
 */
export const presentVirtualMfaDevice = (accountId: string, device: MfaDevice, user: User | undefined) => ({
  SerialNumber: device.serialNumber,
  EnableDate: user ? (device.enabledAt ?? undefined) : undefined,
  User: user ? presentUser(accountId, user, false) : undefined,
});

/** An MFA device enabled for a user, as ListMFADevices and GetMFADevice show it. */
export const presentMfaDevice = (device: MfaDevice, user: User) => ({
  UserName: user.name,
  SerialNumber: device.serialNumber,
  EnableDate: device.enabledAt ?? undefined,
});
