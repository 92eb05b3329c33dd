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
}

export interface PolicyVersion {
  version: number;
  document: string;
  createdAt: Date;
}

/** Who holds an inline policy or a managed-policy attachment. */
export interface PolicyOwner {
  kind: 'user' | 'group';
  id: string;
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

/** Who is calling: the account's root user or one of its IAM users. */
export type Caller =
  | { kind: 'root'; accountId: string; accessKeyId: string }
  | { kind: 'user'; accountId: string; accessKeyId: string; user: User };
