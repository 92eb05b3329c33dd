import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteUserCommand,
  DetachUserPolicyCommand,
  EnableMFADeviceCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListSigningCertificatesCommand,
  ListUserPoliciesCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  UpdateUserCommand,
  type AttachedPermissionsBoundary,
  type CreateLoginProfileCommandInput,
  type CreateUserCommandInput,
  type EnableMFADeviceCommandInput,
  type PutUserPolicyCommandInput,
  type Tag,
  type UpdateUserCommandInput,
  type User as UserData,
} from '@aws-sdk/client-iam';
import type { AccessKey } from './access-key.js';
import type { AccessKeyPair } from './access-key-pair.js';
import { Collection } from './collections.js';
import type { Group } from './group.js';
import type { IAM } from './iam.js';
import type { LoginProfile } from './login-profile.js';
import type { MfaDevice } from './mfa-device.js';
import type { Policy } from './policy.js';
import { Resource, SET_DATA } from './resource.js';
import type { SigningCertificate } from './signing-certificate.js';
import type { UserPolicy } from './user-policy.js';
import { waitFor, type WaiterOptions } from './waiters.js';

/**
 * An IAM user, identified by its name: `iam.User('alice')`.
 *
 * @example
 * ```ts
 * const alice = await iam.User('alice').load();
 * console.log(alice.arn, alice.createDate);
 * const key = await alice.createAccessKey(); // key.secretAccessKey is readable only now
 * ```
 */
export class User extends Resource<UserData> {
  /** The user's name (its identifier). */
  readonly name: string;

  /** Use `iam.User(name)`. */
  constructor(iam: IAM, name: string) {
    super(iam);
    this.name = name;
  }

  /** `User("alice")`. */
  override toString(): string {
    return `User(${JSON.stringify(this.name)})`;
  }

  protected override async fetch(): Promise<UserData> {
    const out = await this.iam.call('GetUser', (c) => c.send(new GetUserCommand({ UserName: this.name })));
    return out.User!;
  }

  /** The user's name as IAM spells it (available before load: the identifier). */
  get userName(): string {
    return this.data?.UserName ?? this.name;
  }
  /** Whether this is the account's root (only from `iam.currentUser()` with root credentials). */
  get isRoot(): boolean {
    return this.attribute('Arn', 'arn')?.endsWith(':root') ?? false;
  }
  /** The user's path, e.g. `/engineering/`. */
  get path(): string {
    return this.attribute('Path', 'path')!;
  }
  /** IAM's stable id for the user (`AIDA…`). */
  get userId(): string {
    return this.attribute('UserId', 'userId')!;
  }
  /** The user's ARN, path included. */
  get arn(): string {
    return this.attribute('Arn', 'arn')!;
  }
  /** When the user was created. */
  get createDate(): Date {
    return this.attribute('CreateDate', 'createDate')!;
  }
  /** When the user's password was last used to sign in, if ever (IAM omits it otherwise). */
  get passwordLastUsed(): Date | undefined {
    return this.attribute('PasswordLastUsed', 'passwordLastUsed');
  }
  /** The user's permissions boundary, if set. */
  get permissionsBoundary(): AttachedPermissionsBoundary | undefined {
    return this.attribute('PermissionsBoundary', 'permissionsBoundary');
  }
  /** The user's tags as `GetUser` returns them (`ListUsers` returns none). */
  get tags(): Tag[] | undefined {
    return this.attribute('Tags', 'tags');
  }

  /** Creates this user (`CreateUser`) with optional `Path`, `Tags`, `PermissionsBoundary`; loads it. */
  async create(params: Omit<CreateUserCommandInput, 'UserName'> = {}): Promise<this> {
    const out = await this.iam.call('CreateUser', (c) => c.send(new CreateUserCommand({ ...params, UserName: this.name })));
    return this[SET_DATA](out.User);
  }

  /**
   * Renames or moves the user (`UpdateUser` with `NewUserName`, `NewPath`). Returns the user under
   * its new name (not loaded); this object keeps the old name, as in boto3.
   */
  async update(params: Omit<UpdateUserCommandInput, 'UserName'>): Promise<User> {
    await this.iam.call('UpdateUser', (c) => c.send(new UpdateUserCommand({ ...params, UserName: this.name })));
    return this.iam.User(params.NewUserName ?? this.name);
  }

  /** Deletes the user (`DeleteUser`); IAM answers `DeleteConflict` while it has a login profile, keys, policies or groups. */
  async delete(): Promise<void> {
    await this.iam.call('DeleteUser', (c) => c.send(new DeleteUserCommand({ UserName: this.name })));
  }

  /** The user's login profile (a reference: not loaded, may not exist). */
  get loginProfile(): LoginProfile {
    return this.iam.LoginProfile(this.name);
  }

  /** Gives the user a console password (`CreateLoginProfile`); returns the login profile, loaded. */
  async createLoginProfile(params: Omit<CreateLoginProfileCommandInput, 'UserName'>): Promise<LoginProfile> {
    return this.loginProfile.create(params);
  }

  /**
   * Creates an access key for the user (`CreateAccessKey`). The returned key is loaded and is the
   * only place its `secretAccessKey` can be read.
   */
  async createAccessKey(): Promise<AccessKey> {
    const out = await this.iam.call('CreateAccessKey', (c) => c.send(new CreateAccessKeyCommand({ UserName: this.name })));
    const key = out.AccessKey!;
    return this.iam.AccessKey(this.name, key.AccessKeyId!)[SET_DATA](key);
  }

  /**
   * Creates an access key (`CreateAccessKey`) as boto3's `create_access_key_pair` does: an
   * {@link AccessKeyPair}, whose `secret` is an identifier and so survives a `load()`.
   */
  async createAccessKeyPair(): Promise<AccessKeyPair> {
    const out = await this.iam.call('CreateAccessKey', (c) => c.send(new CreateAccessKeyCommand({ UserName: this.name })));
    const key = out.AccessKey!;
    return this.iam.AccessKeyPair(this.name, key.AccessKeyId!, key.SecretAccessKey!)[SET_DATA](key);
  }

  /** The access key `accessKeyId` of this user (a reference: not loaded). */
  AccessKey(accessKeyId: string): AccessKey {
    return this.iam.AccessKey(this.name, accessKeyId);
  }

  /** The inline policy `policyName` of this user (a reference: not loaded). */
  Policy(policyName: string): UserPolicy {
    return this.iam.UserPolicy(this.name, policyName);
  }

  /** Puts (creates or replaces) the inline policy `policyName` (`PutUserPolicy`); `document` is JSON text or an object. */
  async putPolicy(policyName: string, document: string | object): Promise<UserPolicy> {
    const PolicyDocument = typeof document === 'string' ? document : JSON.stringify(document);
    await this.iam.call('PutUserPolicy', (c) => c.send(new PutUserPolicyCommand({ UserName: this.name, PolicyName: policyName, PolicyDocument })));
    return this.Policy(policyName);
  }

  /** Creates or replaces an inline policy (`PutUserPolicy` with `PolicyName`, `PolicyDocument`), as boto3's `create_policy`. */
  async createPolicy(params: Omit<PutUserPolicyCommandInput, 'UserName'>): Promise<UserPolicy> {
    await this.iam.call('PutUserPolicy', (c) => c.send(new PutUserPolicyCommand({ ...params, UserName: this.name })));
    return this.Policy(params.PolicyName!);
  }

  /** The MFA device `serialNumber` of this user (a reference: not loaded). */
  MfaDevice(serialNumber: string): MfaDevice {
    return this.iam.MfaDevice(this.name, serialNumber);
  }

  /** Assigns an MFA device to the user (`EnableMFADevice` with `SerialNumber` and two consecutive codes); returns it, not loaded. */
  async enableMfa(params: Omit<EnableMFADeviceCommandInput, 'UserName'>): Promise<MfaDevice> {
    await this.iam.call('EnableMFADevice', (c) => c.send(new EnableMFADeviceCommand({ ...params, UserName: this.name })));
    return this.MfaDevice(params.SerialNumber!);
  }

  /** The signing certificate `certificateId` of this user (a reference: not loaded). */
  SigningCertificate(certificateId: string): SigningCertificate {
    return this.iam.SigningCertificate(this.name, certificateId);
  }

  /** Adds the user to group `groupName` (`AddUserToGroup`). */
  async addGroup(groupName: string): Promise<void> {
    await this.iam.call('AddUserToGroup', (c) => c.send(new AddUserToGroupCommand({ UserName: this.name, GroupName: groupName })));
  }

  /** Removes the user from group `groupName` (`RemoveUserFromGroup`). */
  async removeGroup(groupName: string): Promise<void> {
    await this.iam.call('RemoveUserFromGroup', (c) => c.send(new RemoveUserFromGroupCommand({ UserName: this.name, GroupName: groupName })));
  }

  /** Attaches the managed policy `policyArn` to the user (`AttachUserPolicy`). */
  async attachPolicy(policyArn: string): Promise<void> {
    await this.iam.call('AttachUserPolicy', (c) => c.send(new AttachUserPolicyCommand({ UserName: this.name, PolicyArn: policyArn })));
  }

  /** Detaches the managed policy `policyArn` from the user (`DetachUserPolicy`). */
  async detachPolicy(policyArn: string): Promise<void> {
    await this.iam.call('DetachUserPolicy', (c) => c.send(new DetachUserPolicyCommand({ UserName: this.name, PolicyArn: policyArn })));
  }

  /** The user's access keys (`ListAccessKeys`), loaded with their metadata (no secrets). */
  readonly accessKeys: Collection<AccessKey> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListAccessKeys', (c) => c.send(new ListAccessKeysCommand({ UserName: this.name, Marker, MaxItems })));
    return {
      items: (out.AccessKeyMetadata ?? []).map((k) => this.iam.AccessKey(this.name, k.AccessKeyId!)[SET_DATA](k)),
      isTruncated: out.IsTruncated,
      marker: out.Marker,
    };
  });

  /** The groups the user is in (`ListGroupsForUser`), loaded. */
  readonly groups: Collection<Group> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListGroupsForUser', (c) => c.send(new ListGroupsForUserCommand({ UserName: this.name, Marker, MaxItems })));
    return { items: (out.Groups ?? []).map((g) => this.iam.Group(g.GroupName!)[SET_DATA](g)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** The user's inline policies (`ListUserPolicies`), not loaded. */
  readonly policies: Collection<UserPolicy> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListUserPolicies', (c) => c.send(new ListUserPoliciesCommand({ UserName: this.name, Marker, MaxItems })));
    return { items: (out.PolicyNames ?? []).map((n) => this.Policy(n)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** The managed policies attached to the user (`ListAttachedUserPolicies`), not loaded; filter with `{ PathPrefix }`. */
  readonly attachedPolicies: Collection<Policy, { PathPrefix?: string }> = new Collection((filter) => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListAttachedUserPolicies', (c) =>
      c.send(new ListAttachedUserPoliciesCommand({ ...filter, UserName: this.name, Marker, MaxItems })),
    );
    return { items: (out.AttachedPolicies ?? []).map((p) => this.iam.Policy(p.PolicyArn!)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** The user's MFA devices (`ListMFADevices`), loaded. */
  readonly mfaDevices: Collection<MfaDevice> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListMFADevices', (c) => c.send(new ListMFADevicesCommand({ UserName: this.name, Marker, MaxItems })));
    return { items: (out.MFADevices ?? []).map((d) => this.MfaDevice(d.SerialNumber!)[SET_DATA](d)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** The user's signing certificates (`ListSigningCertificates`), loaded. */
  readonly signingCertificates: Collection<SigningCertificate> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListSigningCertificates', (c) => c.send(new ListSigningCertificatesCommand({ UserName: this.name, Marker, MaxItems })));
    return { items: (out.Certificates ?? []).map((s) => this.SigningCertificate(s.CertificateId!)[SET_DATA](s)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** Waits until the user exists (polls `GetUser`; default every second, 20 times). */
  waitUntilExists(options?: WaiterOptions): Promise<void> {
    return waitFor(`${this} to exist`, () => this.exists(), options);
  }

  /** Waits until the user no longer exists. */
  waitUntilNotExists(options?: WaiterOptions): Promise<void> {
    return waitFor(`${this} not to exist`, async () => !(await this.exists()), options);
  }
}
