/** What iamd stores, as the domain sees it. Dates are Date objects; the wire format is not known here. */

export interface Tag {
  Key: string;
  Value: string;
}

export interface User {
  id: string; // AIDA…, stable across renames
  name: string;
  path: string;
  createdAt: Date;
  passwordLastUsed: Date | null;
  tags: Tag[];
  /** The ARN of the managed policy that bounds the user's permissions, if any. */
  permissionsBoundary: string | null;
}

export interface Group {
  id: string; // AGPA…
  name: string;
  path: string;
  createdAt: Date;
}

/** A customer managed policy; its documents live in its versions. */
export interface ManagedPolicy {
  arn: string;
  id: string; // ANPA…
  name: string;
  path: string;
  description: string | null;
  defaultVersion: number;
  createdAt: Date;
  updatedAt: Date;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
  tags: Tag[];
}

export interface PolicyVersion {
  version: number;
  document: string;
  createdAt: Date;
}

export interface Role {
  id: string; // AROA…
  name: string;
  path: string;
  createdAt: Date;
  description: string | null;
  /** Seconds, 3600-43200. */
  maxSessionDuration: number;
  /** The trust policy (AssumeRolePolicyDocument), as written. */
  trustPolicy: string;
  permissionsBoundary: string | null;
  tags: Tag[];
  /** When a session of the role last made a request, and in which region. */
  lastUsed: { at: Date; region: string } | null;
  /** For a service-linked role: the service principal that owns it (e.g. autoscaling.amazonaws.com). */
  linkedService: string | null;
}

export interface InstanceProfile {
  id: string; // AIPA…
  name: string;
  path: string;
  createdAt: Date;
  tags: Tag[];
  /** At most one, as AWS allows. */
  roles: Role[];
}

/** What can hold inline policies, managed-policy attachments and (users, roles) a permissions boundary. */
export type PrincipalKind = 'user' | 'group' | 'role';

/** Who holds an inline policy or a managed-policy attachment. */
export interface PolicyOwner {
  kind: PrincipalKind;
  id: string;
  /** For messages (the store keys on the id). */
  name: string;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKey {
  id: string; // AKIA…
  /** null for the account's root credentials. */
  userId: string | null;
  secret: string;
  status: AccessKeyStatus;
  createdAt: Date;
  lastUsed: { at: Date; region: string; service: string } | null;
}

export interface LoginProfile {
  userId: string;
  passwordHash: string;
  createdAt: Date;
  /** When the current password was set; password expiry counts from here. */
  passwordChangedAt: Date;
  passwordResetRequired: boolean;
}

/**
 * A virtual MFA device. Its seed is sealed under the master key before the store sees it; only
 * CreateVirtualMFADevice's answer ever carries it in clear.
 */
export interface MfaDevice {
  id: string;
  /** arn:aws:iam::ACCOUNT:mfa/PATH+NAME, the device's name in every other call. */
  serialNumber: string;
  name: string;
  path: string;
  createdAt: Date;
  /** The base32 seed, sealed (SecretSealer). */
  sealedSeed: string;
  /** The user it is enabled for, or null (unassigned). */
  userId: string | null;
  enabledAt: Date | null;
  /** The last TOTP time step a code was accepted at: no code at or before it is accepted again. */
  lastStep: number | null;
  /** How many 30-second steps the device's clock runs ahead of ours (negative: behind), as last measured. */
  drift: number;
  tags: Tag[];
}

/** Who is calling: the account's root user or one of its IAM users. */
export type Caller =
  | { kind: 'root'; accountId: string; accessKeyId: string }
  | { kind: 'user'; accountId: string; accessKeyId: string; user: User };
