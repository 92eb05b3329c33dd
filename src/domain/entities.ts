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

/** ARN as written in a trust policy -> the unique id (AIDA…, AROA…) it named then. */
export type TrustPrincipalIds = Readonly<Record<string, string>>;

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
  /**
   * The unique id each IAM user and role of the account named in the trust policy resolved to when
   * it was written, by the ARN as written (AWS trusts the principal, not the name: a principal
   * deleted and re-created under the same name is not trusted). Null: none recorded for this
   * policy (a role stored before iamd recorded them, or whose policy a node of an older version
   * wrote), resolved at its first use (trust-principals.ts).
   */
  trustPrincipalIds: TrustPrincipalIds | null;
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

/**
 * A server certificate (for TLS endpoints): the certificate, its chain and its private key, which
 * is kept sealed (SecretSealer) and never returned.
 */
export interface ServerCertificate {
  id: string; // ASCA…
  name: string;
  path: string;
  uploadedAt: Date;
  /** The certificate's notAfter. */
  expiration: Date;
  body: string;
  chain: string | null;
  /** The PEM private key, sealed. */
  sealedPrivateKey: string;
  tags: Tag[];
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

/** Active or not: the status a user's SSH keys, signing certificates and service credentials have. */
export type CredentialStatus = 'Active' | 'Inactive';

/** An SSH public key for CodeCommit. */
export interface SshPublicKey {
  id: string; // APKA…, 20 characters like an access key id
  userId: string;
  /** The key as uploaded (OpenSSH or PEM); GetSSHPublicKey renders either encoding from `blob`. */
  body: string;
  /** The key in SSH wire format (RFC 4253), base64: what the fingerprint is computed over. */
  blob: string;
  /** MD5 of the wire blob, colon-separated hex (what `ssh-keygen -l -E md5` shows). */
  fingerprint: string;
  status: CredentialStatus;
  uploadedAt: Date;
}

/** An X.509 signing certificate of a user, or of the root user. */
export interface SigningCertificate {
  id: string;
  /** null for the root user's own certificates. */
  userId: string | null;
  /** As uploaded. */
  body: string;
  /** SHA-256 of the DER certificate, hex: a certificate belongs to one owner in the account. */
  thumbprint: string;
  status: CredentialStatus;
  uploadedAt: Date;
}

/** A user name and password (or an API key) for one AWS service: CodeCommit, Keyspaces, Bedrock... */
export interface ServiceSpecificCredential {
  id: string; // ACCA…
  userId: string;
  serviceName: string;
  /** `alice-at-123456789012` (`alice+1-at-…` for the next free one); kept when the user is renamed. */
  serviceUserName: string;
  /** SHA-256 of the password (hex); the password itself is shown once and never stored. */
  secretHash: string;
  status: CredentialStatus;
  createdAt: Date;
  /** API keys created with CredentialAgeDays expire. */
  expiresAt: Date | null;
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

/**
 * A user acting through the console's signed-in session rather than keys. AWS puts
 * aws:MultiFactorAuthPresent in such a request's context (true, with aws:MultiFactorAuthAge, when
 * MFA was used; false otherwise), and leaves both keys out for long-term access keys.
 */
export interface ConsoleContext {
  /** When MFA was used to start the session; null: it was not. */
  mfaAuthenticatedAt: Date | null;
}

/**
 * What temporary credentials carry (session-token.ts seals it into the token): when they were
 * issued and expire, and for a role session its name, session policies, tags and source identity.
 */
export interface Session {
  issuedAt: Date;
  expiresAt: Date;
  /** The inline session policy (AssumeRole's Policy), as given. */
  policy?: string;
  /** Managed session policies (PolicyArns), read at request time. */
  policyArns: string[];
  /** Session tags (aws:PrincipalTag/*, over the role's tags of the same key). */
  tags: Tag[];
  /** Keys of the tags that pass on to a session this session assumes (role chaining). */
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  /** When the credentials were obtained with an MFA code (aws:MultiFactorAuthPresent/Age). */
  mfaAuthenticatedAt?: Date;
}

/**
 * Who is calling: the account's root user or one of its IAM users (with long-term keys, or with a
 * GetSessionToken session, or through the console), or a session of a role (AssumeRole).
 */
export type Caller =
  | { kind: 'root'; accountId: string; accessKeyId: string; session?: Session }
  | { kind: 'user'; accountId: string; accessKeyId: string; user: User; session?: Session; console?: ConsoleContext }
  | { kind: 'assumed-role'; accountId: string; accessKeyId: string; role: Role; sessionName: string; session: Session }
  /** GetFederationToken: a federated user named by the IAM user (null: the root user) that asked for it. */
  | { kind: 'federated-user'; accountId: string; accessKeyId: string; issuer: User | null; federatedName: string; session: Session };

/**
 * An OpenID Connect identity provider: an issuer whose tokens AssumeRoleWithWebIdentity accepts.
 * `url` is its URL without https://, as in its ARN (oidc-provider/HOST/PATH) and its tokens' iss.
 */
export interface OidcProvider {
  id: string;
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createdAt: Date;
  tags: Tag[];
}

/** A private key for decrypting a SAML provider's encrypted assertions; sealed, never returned. */
export interface SamlPrivateKey {
  keyId: string;
  timestamp: Date;
  sealedKey: string;
}

/** A SAML identity provider: its metadata document (with the IdP's signing certificate). */
export interface SamlProvider {
  id: string;
  name: string;
  createdAt: Date;
  validUntil: Date;
  metadata: string;
  /** SAMLProviderUUID: the provider's own id, as AWS returns it. */
  uuid: string;
  assertionEncryptionMode: 'Required' | 'Allowed' | null;
  privateKeys: SamlPrivateKey[];
  tags: Tag[];
}
