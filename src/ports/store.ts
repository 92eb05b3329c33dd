import type {
  AccessKey,
  AccessKeyStatus,
  CredentialStatus,
  Group,
  InstanceProfile,
  LoginProfile,
  ManagedPolicy,
  MfaDevice,
  PolicyOwner,
  PolicyVersion,
  PrincipalKind,
  Role,
  ServiceSpecificCredential,
  ServerCertificate,
  OidcProvider,
  SamlProvider,
  SigningCertificate,
  SshPublicKey,
  Tag,
  TrustPrincipalIds,
  User,
} from '../domain/entities.js';
import type { PasswordPolicy } from '../domain/password-policy.js';

/**
 * The storage ports. Every method is one atomic step: an adapter runs it in a single transaction,
 * so the domain never holds a transaction open across an await (hashing a password takes tens of
 * milliseconds and must not pin a database lock). Methods that change state report whether their
 * precondition held, so races end in AWS's errors rather than in lost updates.
 *
 * Methods are async so that a networked database (PostgreSQL) fits behind the same interfaces.
 */

export interface ListPage<T> {
  items: T[];
  /** Opaque position to continue from, present when more items exist. */
  nextMarker?: string;
}

/** Where a list continues, and how much of it to give. */
export interface ListOptions {
  pathPrefix: string;
  marker?: string;
  maxItems: number;
}

/**
 * What every named IAM resource with a path (users, groups, roles, instance profiles) shares:
 * names unique and found regardless of case, listing by name with a plain path prefix, renames
 * and moves, and deletion refused while something still hangs off it (`Blocker` names the first,
 * in AWS's order of checks).
 */
export interface NamedRepository<E, Blocker extends string> {
  getByName(name: string): Promise<E | undefined>;
  getById(id: string): Promise<E | undefined>;
  list(options: ListOptions): Promise<ListPage<E>>;
  update(name: string, change: { newName?: string; newPath?: string }): Promise<'missing' | 'name-taken' | 'ok'>;
  delete(name: string): Promise<'missing' | Blocker | 'ok'>;
  count(): Promise<number>;
}

/** Tags, one rule set for every taggable resource: upserted with case-insensitive keys, a quota. */
export interface TagRepository {
  /** Upserts tags; 'too-many' (changing nothing) when the result would exceed maxTags. */
  tag(key: string, tags: Tag[], maxTags: number): Promise<'missing' | 'too-many' | 'ok'>;
  untag(key: string, keys: string[]): Promise<'missing' | 'ok'>;
}

/** Users and roles may have a permissions boundary. */
export interface BoundedRepository {
  /**
   * Sets or (null) removes the permissions boundary. With `policyMustExist` (a customer managed
   * policy) the policy is checked in the same transaction as the write, so a racing DeletePolicy
   * either sees the boundary (DeleteConflict) or wins ('no-policy').
   */
  setPermissionsBoundary(name: string, policyArn: string | null, policyMustExist?: boolean): Promise<'ok' | 'missing' | 'no-policy'>;
}

export type UserBlocker =
  | 'has-login-profile'
  | 'has-access-keys'
  | 'has-signing-certificates'
  | 'has-ssh-public-keys'
  | 'has-service-specific-credentials'
  | 'has-mfa-devices'
  | 'has-inline-policies'
  | 'has-attached-policies'
  | 'in-groups';

export interface UserRepository extends NamedRepository<User, UserBlocker>, TagRepository, BoundedRepository {
  /**
   * 'exists' when the name is taken (in any case). With `boundaryMustExist` (the user's boundary is
   * a customer managed policy) the policy is checked in the same transaction as the insert, so a
   * racing DeletePolicy either sees the boundary (DeleteConflict) or wins ('no-policy'). 'quota'
   * when the account already has `maxCount` users (creations counted one at a time).
   */
  create(user: User, boundaryMustExist?: boolean, maxCount?: number): Promise<'ok' | 'exists' | 'no-policy' | 'quota'>;
  recordPasswordUse(userId: string, at: Date): Promise<void>;
}

export type RoleBlocker = 'in-instance-profiles' | 'has-inline-policies' | 'has-attached-policies';

export interface RoleRepository extends NamedRepository<Role, RoleBlocker>, TagRepository, BoundedRepository {
  /** As UserRepository.create. */
  create(role: Role, boundaryMustExist?: boolean, maxCount?: number): Promise<'ok' | 'exists' | 'no-policy' | 'quota'>;
  /** Changes only the given members; a trust policy together with the principal ids it resolved to. */
  updateRole(
    name: string,
    change: { description?: string; maxSessionDuration?: number; trust?: { policy: string; principalIds: TrustPrincipalIds } },
  ): Promise<'missing' | 'ok'>;
  recordUse(roleId: string, at: Date, region: string): Promise<void>;
  /**
   * Records the principal ids of a role whose trust policy has none (stored before schema version
   * 12, or written by a node of an older version), unless it has some by now or the trust policy
   * is no longer `trustPolicy`.
   */
  recordTrustPrincipalIds(roleId: string, trustPolicy: string, ids: TrustPrincipalIds): Promise<void>;
  /** The IAM users and roles of these unique ids that exist, by id (absent: none has it). */
  principalsById(ids: readonly string[]): Promise<Map<string, { kind: 'user' | 'role'; path: string; name: string }>>;
}

export type GroupBlocker = 'has-members' | 'has-inline-policies' | 'has-attached-policies';

export interface GroupRepository extends NamedRepository<Group, GroupBlocker> {
  /** False when the name is taken; 'quota' when the account already has maxCount groups. */
  create(group: Group, maxCount?: number): Promise<boolean | 'quota'>;
  /** Adding twice is not an error (AWS's behaviour). False when the group or the user is gone. */
  addMember(groupId: string, userId: string, maxGroupsPerUser?: number): Promise<boolean | 'quota'>;
  /** False when the user was not a member. */
  removeMember(groupId: string, userId: string): Promise<boolean>;
  members(groupId: string): Promise<User[]>;
  groupsOf(userId: string): Promise<Group[]>;
  /** The groups of many users in one read, by user id (users in no group are absent). */
  groupsOfMany(userIds: readonly string[]): Promise<Map<string, Group[]>>;
}

export type InstanceProfileBlocker = 'has-role';

export interface InstanceProfileRepository extends NamedRepository<InstanceProfile, InstanceProfileBlocker>, TagRepository {
  create(profile: InstanceProfile, maxCount?: number): Promise<boolean | 'quota'>;
  /** 'limit' when the profile already has a role (AWS allows one); adding the same role twice is 'exists'. */
  addRole(profileName: string, roleName: string, maxRoles: number): Promise<'no-profile' | 'no-role' | 'limit' | 'exists' | 'ok'>;
  removeRole(profileName: string, roleName: string): Promise<'no-profile' | 'no-role' | 'not-in-profile' | 'ok'>;
  forRole(roleId: string): Promise<InstanceProfile[]>;
  /** The instance profiles of many roles in one read, by role id, each with its roles. */
  forRoles(roleIds: readonly string[]): Promise<Map<string, InstanceProfile[]>>;
}

/** When a principal (a user's or a role's id) last used a service, and where. */
export interface ServiceUse {
  principalId: string;
  service: string;
  at: Date;
  region: string;
}

/** Access advisor: service use as recorded, and the reports made of it. */
export interface AccessAdvisorRepository {
  /** Keeps the later of the stored and the given use. */
  recordServiceUse(use: ServiceUse): Promise<void>;
  /** Every recorded use of these principals. */
  usesOf(principalIds: readonly string[]): Promise<ServiceUse[]>;
  createJob(job: { id: string; createdAt: Date; report: string }): Promise<void>;
  getJob(id: string): Promise<{ id: string; createdAt: Date; report: string } | undefined>;
}

/** Nothing hangs off a server certificate in IAM (the services using one are not iamd's). */
export type ServerCertificateBlocker = never;

export interface ServerCertificateRepository extends NamedRepository<ServerCertificate, ServerCertificateBlocker>, TagRepository {
  /** 'exists' when the name (in any case) is taken; 'quota' when the account holds maxCount already. */
  create(certificate: ServerCertificate, maxCount: number): Promise<'ok' | 'exists' | 'quota'>;
  /** Every certificate's id and stored private key (sealed or not, as stored), for re-sealing under a new master key. */
  listAllPrivateKeys(): Promise<{ id: string; privateKey: string }[]>;
  /** Replaces a certificate's stored private key only while it is still `oldKey` (compare-and-set). */
  replacePrivateKey(id: string, oldKey: string, newKey: string): Promise<boolean>;
}

/** OIDC providers, keyed by their URL without https:// (the ARN's resource). */
export interface OidcProviderRepository extends TagRepository {
  /** 'exists' when the URL is registered; 'quota' when the account holds maxCount already. */
  create(provider: OidcProvider, maxCount: number): Promise<'ok' | 'exists' | 'quota'>;
  get(url: string): Promise<OidcProvider | undefined>;
  /** Every provider, by URL (an account holds at most 100). */
  list(): Promise<OidcProvider[]>;
  /**
   * Changes the client ids and thumbprints in one transaction, the provider locked: `change` gets
   * the stored provider and returns the new lists (or throws, changing nothing).
   */
  update(url: string, change: (p: OidcProvider) => { clientIds: string[]; thumbprints: string[] }): Promise<'missing' | 'ok'>;
  delete(url: string): Promise<boolean>;
}

export type SamlProviderBlocker = never;

export interface SamlProviderRepository extends NamedRepository<SamlProvider, SamlProviderBlocker>, TagRepository {
  create(provider: SamlProvider, maxCount: number): Promise<'ok' | 'exists' | 'quota'>;
  /** Replaces what may change (metadata, valid-until, encryption mode, private keys), the provider locked. */
  modify(name: string, change: (p: SamlProvider) => Pick<SamlProvider, 'metadata' | 'validUntil' | 'assertionEncryptionMode' | 'privateKeys'>): Promise<'missing' | 'ok'>;
  /** Every provider, by name (an account holds at most 100). */
  listAll(): Promise<SamlProvider[]>;
  /** Every stored private key (sealed or not, as stored), for re-sealing under a new master key. */
  listAllPrivateKeys(): Promise<{ providerId: string; keyId: string; privateKey: string }[]>;
  /** Replaces one stored private key only while it is still `oldKey` (compare-and-set). */
  replacePrivateKey(providerId: string, keyId: string, oldKey: string, newKey: string): Promise<boolean>;
}

export interface ManagedPolicyRepository extends TagRepository {
  /** Creates the policy with its first version (v1, default); false when the name is taken. */
  create(policy: ManagedPolicy, document: string, maxCount?: number): Promise<boolean | 'quota'>;
  get(arn: string): Promise<ManagedPolicy | undefined>;
  /**
   * One page of the customer managed policies by folded name (the marker is the last name
   * served); onlyAttached: those attached to a user, group or role.
   */
  listPage(options: ListOptions & { onlyAttached?: boolean }): Promise<ListPage<ManagedPolicy>>;
  delete(arn: string): Promise<'missing' | 'attached' | 'has-versions' | 'ok'>;
  /** Adds a version; 'limit' when the policy already has maxVersions. */
  createVersion(
    arn: string,
    document: string,
    setAsDefault: boolean,
    at: Date,
    maxVersions: number,
  ): Promise<'missing' | 'limit' | PolicyVersion>;
  getVersion(arn: string, version: number): Promise<PolicyVersion | undefined>;
  listVersions(arn: string): Promise<PolicyVersion[]>;
  /** The versions of many policies in one read, by ARN, each newest first. */
  versionsOf(arns: readonly string[]): Promise<Map<string, PolicyVersion[]>>;
  deleteVersion(arn: string, version: number): Promise<'missing' | 'default' | 'ok'>;
  setDefaultVersion(arn: string, version: number, at: Date): Promise<'missing' | 'ok'>;
  count(): Promise<number>;
}

/** The most the inline policies of one owner may measure together, and how one is measured. */
export interface InlineSizeLimit {
  maxTotal: number;
  sizeOf(document: string): number;
}

export interface InlinePolicyRepository {
  /**
   * Creates or replaces; false when the owner no longer exists, 'too-big' when the owner's inline
   * policies (this one instead of any of the same name) would measure more than `sizeLimit` allows
   * (both checked in the same transaction).
   */
  put(owner: PolicyOwner, name: string, document: string, sizeLimit?: InlineSizeLimit): Promise<boolean | 'too-big'>;
  get(owner: PolicyOwner, name: string): Promise<{ name: string; document: string } | undefined>;
  delete(owner: PolicyOwner, name: string): Promise<boolean>;
  list(owner: PolicyOwner): Promise<{ name: string; document: string }[]>;
  /** The inline policies of many owners in one read, by owner id, each by name. */
  listForOwners(ownerIds: readonly string[]): Promise<Map<string, { name: string; document: string }[]>>;
}

export interface AttachmentRepository {
  /**
   * Attaching twice is not an error. 'limit' when the owner already has maxAttached policies.
   * With `policyMustExist` (a customer managed policy; AWS managed ones are built in) the policy
   * is checked in the same transaction as the insert: a racing DeletePolicy either sees the
   * attachment (DeleteConflict) or wins ('missing'), never leaves an attachment to nothing; the
   * owner likewise ('no-owner': a racing DeleteUser/DeleteGroup/DeleteRole won).
   */
  attach(owner: PolicyOwner, policyArn: string, maxAttached: number, policyMustExist?: boolean): Promise<'ok' | 'limit' | 'missing' | 'no-owner'>;
  /** False when it was not attached. */
  detach(owner: PolicyOwner, policyArn: string): Promise<boolean>;
  list(owner: PolicyOwner): Promise<string[]>;
  /** The attached policy ARNs of many owners in one read, by owner id, each in attachment order. */
  listForOwners(ownerIds: readonly string[]): Promise<Map<string, string[]>>;
  /** How many users, groups and roles have this policy attached. */
  countFor(policyArn: string): Promise<number>;
  /** countFor for many policies in one read; policies attached nowhere are absent. */
  countsFor(policyArns: readonly string[]): Promise<Map<string, number>>;
  /**
   * One page of who has this policy attached (PermissionsPolicy) or as a boundary
   * (PermissionsBoundary), or either (each entity once), of the given kinds, under a path prefix;
   * by folded name, then user, group, role. The marker is the position of the last one served.
   */
  entitiesPage(policyArn: string, options: EntitiesPageOptions): Promise<ListPage<PolicyEntity>>;
}

export interface EntitiesPageOptions {
  usages: readonly ('PermissionsPolicy' | 'PermissionsBoundary')[];
  kinds: readonly PrincipalKind[];
  pathPrefix: string;
  marker?: string;
  maxItems: number;
}

export interface PolicyEntity {
  kind: PrincipalKind;
  id: string;
  name: string;
  path: string;
}

/**
 * What the authorizer needs for one IAM user in one read: the documents of every policy that
 * applies (inline and attached, the user's and its groups'), and its permissions boundary.
 * Customer managed policies come with their default version's document; AWS managed ones as ARNs
 * for the domain to resolve. Read-only: a store may hand the same set to every request while
 * nothing has changed (SqlAuthorization on SQLite).
 */
export interface PolicySet {
  readonly inline: readonly { readonly id: string; readonly document: string }[];
  readonly attachedArns: readonly string[];
  /** The permissions boundary's ARN, or null when the user has none. */
  readonly boundaryArn: string | null;
  /** Default-version documents of the customer managed policies above (attached and boundary). */
  readonly customerDocuments: ReadonlyMap<string, string>;
}

export interface AuthorizationRepository {
  /** An IAM user's policies: its own and its groups'. */
  policiesFor(userId: string): Promise<PolicySet>;
  /** A role's policies (a role session acts with them). */
  policiesForRole(roleId: string): Promise<PolicySet>;
  /** A group's own policies (the policy simulator's view of a group; a group has no boundary). */
  policiesForGroup(groupId: string): Promise<PolicySet>;
}

export type MfaAssignment = 'Assigned' | 'Unassigned' | 'Any';

/**
 * One-time codes a device showed, as the time steps they were found at: every step from
 * firstStep to lastStep must lie after the device's last accepted step (a code is good once).
 */
export interface AcceptedSteps {
  firstStep: number;
  lastStep: number;
  /** The device's clock, measured by these codes: steps ahead of ours (negative: behind). */
  drift: number;
}

/** Virtual MFA devices, found by serial number (regardless of case, as IAM names are). */
export interface MfaDeviceRepository extends TagRepository {
  /** False when a device with that serial number (in any case) exists. */
  create(device: MfaDevice): Promise<boolean>;
  get(serialNumber: string): Promise<MfaDevice | undefined>;
  /**
   * Devices by serial number; `marker` is the last serial number served. Assigned devices come
   * with their user (without tags).
   */
  list(options: { assignment: MfaAssignment; marker?: string; maxItems: number }): Promise<ListPage<{ device: MfaDevice; user?: User }>>;
  /** The devices enabled for a user, oldest first. */
  listForUser(userId: string): Promise<MfaDevice[]>;
  /**
   * Atomically: assigns an unassigned device to the user, if the codes are newer than any the
   * device accepted before and the user has fewer than maxPerUser devices.
   */
  enable(
    serialNumber: string,
    userId: string,
    accepted: AcceptedSteps,
    at: Date,
    maxPerUser: number,
  ): Promise<'ok' | 'missing' | 'in-use' | 'no-user' | 'replayed' | 'limit'>;
  /** Atomically: records new codes (and the clock they measured) of a device enabled for this user. */
  acceptCodes(serialNumber: string, userId: string, accepted: AcceptedSteps): Promise<'ok' | 'missing' | 'not-assigned' | 'replayed'>;
  /**
   * Unassigns the device from this user (the device stays, with the steps it accepted) and, in the
   * same transaction, deletes every console session of the user.
   */
  deactivate(serialNumber: string, userId: string): Promise<'ok' | 'missing' | 'not-assigned'>;
  delete(serialNumber: string): Promise<'ok' | 'missing' | 'assigned'>;
  /** All devices, and those enabled for a user (GetAccountSummary). */
  counts(): Promise<{ devices: number; inUse: number }>;
  /** Every device's id and stored seed (sealed or not, as stored), for re-sealing under a new master key. */
  listAllSeeds(): Promise<{ id: string; seed: string }[]>;
  /** Replaces a device's stored seed only while it is still `oldSeed` (compare-and-set). */
  replaceSeed(id: string, oldSeed: string, newSeed: string): Promise<boolean>;
}

/** A console session, kept server-side; the browser holds only an opaque token. */
export interface ConsoleSession {
  /** sha256 of the token in the cookie: a database leak yields no usable session. */
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  /** When the password used to sign in was set: a later change revokes the session. */
  passwordChangedAt: Date;
  /** The user must choose a new password before anything else. */
  mustChangePassword: boolean;
  /** The password was right; a code of the user's MFA device is due before anything else. */
  awaitingMfa: boolean;
  /** When the user's MFA code was accepted (null: signed in without MFA). */
  mfaAuthenticatedAt: Date | null;
}

export interface ConsoleSessionRepository {
  create(session: ConsoleSession): Promise<void>;
  get(tokenHash: string): Promise<ConsoleSession | undefined>;
  delete(tokenHash: string): Promise<void>;
  /** Removes sessions whose time is up. */
  deleteExpired(now: Date): Promise<void>;
}

/**
 * Consecutive failed sign-ins per key (a user, a source address), booked before the password is
 * checked so that parallel guesses cannot race past the limit, and cleared by a success.
 */
export interface SignInThrottleRepository {
  /**
   * Atomically: refuses while the key is blocked; otherwise counts this attempt as a failure (until
   * cleared) and blocks the key for `delayAfter(failures)` ms (0: not at all; null: until cleared).
   */
  book(key: string, now: Date, delayAfter: (failures: number) => number | null): Promise<{ allowed: true } | { allowed: false; retryAt: Date | null }>;
  clear(key: string): Promise<void>;
  /** Takes back one booked attempt that turned out to succeed (a shared address is not blamed for it). */
  release(key: string): Promise<void>;
}

export interface CredentialReportRepository {
  get(): Promise<{ generatedAt: Date; content: Buffer } | undefined>;
  put(generatedAt: Date, content: Buffer): Promise<void>;
}

export interface AccessKeyRepository {
  /** Inserts the key unless the owner already has maxPerUser keys, or no longer exists. */
  create(key: AccessKey, maxPerUser: number): Promise<'ok' | 'quota' | 'no-owner'>;
  get(id: string): Promise<AccessKey | undefined>;
  listForOwner(userId: string | null): Promise<AccessKey[]>;
  setStatus(id: string, userId: string | null, status: AccessKeyStatus): Promise<boolean>;
  delete(id: string, userId: string | null): Promise<boolean>;
  recordUse(id: string, at: Date, region: string, service: string): Promise<void>;
  /** Makes sure the given root key exists with this secret (root keys come from configuration). */
  upsertRootKey(id: string, secret: string, createdAt: Date): Promise<void>;
  /** Every key's id and stored secret (sealed or not, as stored), for re-sealing under a new master key. */
  listAllSecrets(): Promise<{ id: string; secret: string }[]>;
  /** Replaces a key's stored secret only while it is still `oldSecret` (compare-and-set); false otherwise. */
  replaceSecret(id: string, oldSecret: string, newSecret: string): Promise<boolean>;
}

/**
 * A user's SSH public keys. Each method acts only on a key of the given user, so a key id of
 * another user is "not found" rather than another user's key.
 */
export interface SshPublicKeyRepository {
  /**
   * Inserts the key: 'duplicate' when the user already has this key (same fingerprint), 'quota'
   * when it already has maxPerUser keys, 'no-owner' when the user no longer exists.
   */
  create(key: SshPublicKey, maxPerUser: number): Promise<'ok' | 'duplicate' | 'quota' | 'no-owner'>;
  get(userId: string, id: string): Promise<SshPublicKey | undefined>;
  /** Ordered by key id (as AWS lists them). */
  listForUser(userId: string): Promise<SshPublicKey[]>;
  setStatus(userId: string, id: string, status: CredentialStatus): Promise<boolean>;
  delete(userId: string, id: string): Promise<boolean>;
}

/** Signing certificates of users and of the root user (owner null). */
export interface SigningCertificateRepository {
  /**
   * Inserts the certificate: 'duplicate' when the same certificate (thumbprint) is anyone's in the
   * account, 'quota' when the owner already has maxPerOwner, 'no-owner' when the user is gone.
   */
  create(cert: SigningCertificate, maxPerOwner: number): Promise<'ok' | 'duplicate' | 'quota' | 'no-owner'>;
  /** Ordered by upload time, then id. */
  listForOwner(userId: string | null): Promise<SigningCertificate[]>;
  setStatus(userId: string | null, id: string, status: CredentialStatus): Promise<boolean>;
  delete(userId: string | null, id: string): Promise<boolean>;
}

export interface ServiceCredentialRepository {
  /**
   * Inserts the credential unless the user already has maxPerService for its service ('quota') or
   * is gone ('no-owner'). Its service user name is the first of `naming(0)`, `naming(1)`, ... that
   * no credential of that service has, chosen in the same transaction (the secret may embed the
   * name, so `naming` gives both); the stored credential is returned.
   */
  create(
    credential: Omit<ServiceSpecificCredential, 'serviceUserName' | 'secretHash'>,
    naming: (slot: number) => { serviceUserName: string; secretHash: string },
    maxPerService: number,
  ): Promise<ServiceSpecificCredential | 'quota' | 'no-owner'>;
  get(userId: string, id: string): Promise<ServiceSpecificCredential | undefined>;
  /** A user's credentials (or everyone's), optionally of one service; ordered by id. */
  list(filter: { userId?: string; serviceName?: string }): Promise<ServiceSpecificCredential[]>;
  setStatus(userId: string, id: string, status: CredentialStatus): Promise<boolean>;
  /** Replaces the password's hash; the credential as it now is, or undefined when there is none. */
  resetSecret(userId: string, id: string, secretHash: string): Promise<ServiceSpecificCredential | undefined>;
  delete(userId: string, id: string): Promise<boolean>;
}

/** A password change as one atomic write: the profile, the reuse history and its trimming. */
export interface PasswordWrite {
  passwordHash: string;
  passwordChangedAt: Date;
  /** How many passwords to keep in the history (the most any reuse policy can ask for). */
  historyLimit: number;
}

export interface LoginProfileRepository {
  get(userId: string): Promise<LoginProfile | undefined>;
  /**
   * Creates the profile and records its password in the history. False when the user already has
   * one, or the user no longer exists.
   */
  create(profile: LoginProfile, historyLimit: number): Promise<boolean>;
  /**
   * Changes the password and/or the reset flag; only the given members change. With
   * `expectedHash`, the change happens only if the stored hash is still that one (compare-and-set,
   * so two racing ChangePassword calls cannot both succeed on the same old password).
   * Returns 'missing' when there is no profile, 'stale' when expectedHash no longer matches.
   */
  update(
    userId: string,
    change: { password?: PasswordWrite; passwordResetRequired?: boolean; expectedHash?: string },
  ): Promise<'ok' | 'missing' | 'stale'>;
  /**
   * The same password's hash at today's parameters, in place of `expectedHash` (compare-and-set:
   * false when the password changed meanwhile). The password's change date, the sessions it
   * signed in and the history's order stay as they are; the history's copy is replaced too.
   */
  rehash(userId: string, expectedHash: string, newHash: string): Promise<boolean>;
  delete(userId: string): Promise<boolean>;
  /** The user's previous password hashes, newest first (the current one included). */
  passwordHistory(userId: string, limit: number): Promise<string[]>;
}

export interface PasswordPolicyRepository {
  get(): Promise<PasswordPolicy | undefined>;
  put(policy: PasswordPolicy): Promise<void>;
  /** False when there was no policy. */
  delete(): Promise<boolean>;
}

/**
 * Failed password checks per user (ChangePassword's old password, console sign-in), counted in
 * the store so that parallel attempts cannot race past the limit and every node sees the same count.
 */
export interface FailureCounterRepository {
  /**
   * Atomically counts one more attempt and returns the count in the current window (a window
   * older than windowMs starts again at one).
   */
  increment(key: string, now: Date, windowMs: number): Promise<number>;
  reset(key: string): Promise<void>;
}

/** Small key/value settings of the installation (e.g. when the account was created). */
export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Removes the setting, only while it holds `expected` when given (compare-and-delete); false when nothing was removed. */
  delete(key: string, expected?: string): Promise<boolean>;
  /**
   * Sets the setting only while it holds `expected` (undefined: only while it is absent), atomically
   * (compare-and-set); false when it held something else and nothing was written.
   */
  replace(key: string, expected: string | undefined, value: string): Promise<boolean>;
}

export interface Store {
  readonly users: UserRepository;
  readonly accessKeys: AccessKeyRepository;
  readonly loginProfiles: LoginProfileRepository;
  readonly sshPublicKeys: SshPublicKeyRepository;
  readonly signingCertificates: SigningCertificateRepository;
  readonly serviceCredentials: ServiceCredentialRepository;
  readonly passwordPolicy: PasswordPolicyRepository;
  readonly failures: FailureCounterRepository;
  readonly groups: GroupRepository;
  readonly roles: RoleRepository;
  readonly instanceProfiles: InstanceProfileRepository;
  readonly mfaDevices: MfaDeviceRepository;
  readonly serverCertificates: ServerCertificateRepository;
  readonly oidcProviders: OidcProviderRepository;
  readonly samlProviders: SamlProviderRepository;
  readonly accessAdvisor: AccessAdvisorRepository;
  readonly managedPolicies: ManagedPolicyRepository;
  readonly inlinePolicies: InlinePolicyRepository;
  readonly attachments: AttachmentRepository;
  readonly authorization: AuthorizationRepository;
  readonly credentialReports: CredentialReportRepository;
  readonly consoleSessions: ConsoleSessionRepository;
  readonly signInThrottle: SignInThrottleRepository;
  readonly settings: SettingsRepository;
  /** Removes every row (memory mode's reset endpoint and test suites). */
  clear(): Promise<void>;
  close(): Promise<void>;
}
