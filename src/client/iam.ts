import {
  ChangePasswordCommand,
  CreateAccountAliasCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  GetUserCommand,
  IAMClient,
  ListGroupsCommand,
  ListInstanceProfilesCommand,
  ListPoliciesCommand,
  ListRolesCommand,
  ListSAMLProvidersCommand,
  ListServerCertificatesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
  UpdateAccountPasswordPolicyCommand,
  UploadServerCertificateCommand,
  UploadSigningCertificateCommand,
  type ChangePasswordCommandInput,
  type CreateAccountAliasCommandInput,
  type CreateGroupCommandInput,
  type CreateInstanceProfileCommandInput,
  type CreatePolicyCommandInput,
  type CreateRoleCommandInput,
  type CreateSAMLProviderCommandInput,
  type CreateUserCommandInput,
  type CreateVirtualMFADeviceCommandInput,
  type IAMClientConfig,
  type ListGroupsCommandInput,
  type ListInstanceProfilesCommandInput,
  type ListPoliciesCommandInput,
  type ListRolesCommandInput,
  type ListServerCertificatesCommandInput,
  type ListUsersCommandInput,
  type ListVirtualMFADevicesCommandInput,
  type UpdateAccountPasswordPolicyCommandInput,
  type UploadServerCertificateCommandInput,
  type UploadSigningCertificateCommandInput,
} from '@aws-sdk/client-iam';
import { AccessKey } from './access-key.js';
import { AccessKeyPair } from './access-key-pair.js';
import { AccountPasswordPolicy } from './account-password-policy.js';
import { AccountSummary } from './account-summary.js';
import { AssumeRolePolicy } from './assume-role-policy.js';
import { Collection } from './collections.js';
import { CurrentUser } from './current-user.js';
import { toIamClientError } from './errors.js';
import { Group } from './group.js';
import { GroupPolicy } from './group-policy.js';
import { InstanceProfile } from './instance-profile.js';
import { LoginProfile } from './login-profile.js';
import { MfaDevice } from './mfa-device.js';
import { Policy } from './policy.js';
import { PolicyVersion } from './policy-version.js';
import { SET_DATA } from './resource.js';
import { Role } from './role.js';
import { RolePolicy } from './role-policy.js';
import { SamlProvider } from './saml-provider.js';
import { ServerCertificate } from './server-certificate.js';
import { SigningCertificate } from './signing-certificate.js';
import { User } from './user.js';
import { UserPolicy } from './user-policy.js';
import { VirtualMfaDevice } from './virtual-mfa-device.js';

/** Parameters of a list operation that the collections handle themselves. */
export type PagingParams = 'Marker' | 'MaxItems';

/** How to reach IAM. */
export interface IAMOptions {
  /** iamd's URL (`http://127.0.0.1:4599`); without it, the SDK's default: AWS's IAM endpoint. */
  endpoint?: string;
  /** The region requests are signed for; default `us-east-1` (IAM is global). */
  region?: string;
  /** Credentials, or a provider of them; default the SDK's chain (environment, profile, …). */
  credentials?: IAMClientConfig['credentials'];
  /** How many times the SDK tries a request (its retry strategy); default the SDK's (3). */
  maxAttempts?: number;
  /** A ready `IAMClient` to use instead; the other options are then ignored. */
  client?: IAMClient;
}

/**
 * The entry point of `iamd/client`: a resource-style layer over `@aws-sdk/client-iam`, the way
 * boto3's `boto3.resource('iam')` works.
 *
 * @example
 * ```ts
 * import { IAM } from 'iamd/client';
 *
 * const iam = new IAM({ endpoint: 'http://127.0.0.1:4599', credentials: { accessKeyId, secretAccessKey } });
 * const alice = await iam.createUser({ UserName: 'alice', Path: '/engineering/' });
 * await alice.createLoginProfile({ Password: 'First-Passw0rd!' });
 * await iam.LoginProfile('alice').update({ Password: 'Second-Passw0rd!', PasswordResetRequired: true });
 * for await (const user of iam.users.all()) console.log(user.name, user.arn);
 * ```
 */
export class IAM {
  /** The SDK client every request goes through. */
  readonly client: IAMClient;

  /** @param options - endpoint, region, credentials (all optional). */
  constructor(options: IAMOptions = {}) {
    this.client =
      options.client ??
      new IAMClient({
        region: options.region ?? 'us-east-1',
        ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
        ...(options.credentials !== undefined && { credentials: options.credentials }),
        ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
      });
  }

  /**
   * Runs one SDK call and turns IAM's errors into {@link IamClientError}. Resources use it; it is
   * public for calls this layer does not wrap: `iam.call('TagUser', (c) => c.send(new TagUserCommand(…)))`.
   *
   * @param operation - the operation's name, for the error.
   * @param send - the call.
   */
  async call<T>(operation: string, send: (client: IAMClient) => Promise<T>): Promise<T> {
    try {
      return await send(this.client);
    } catch (e) {
      throw toIamClientError(e, operation);
    }
  }

  /** The user named `name` (not loaded). */
  User(name: string): User {
    return new User(this, name);
  }

  /** The login profile (console password) of user `userName` (not loaded). */
  LoginProfile(userName: string): LoginProfile {
    return new LoginProfile(this, userName);
  }

  /** The access key `accessKeyId` of user `userName` (not loaded). */
  AccessKey(userName: string, accessKeyId: string): AccessKey {
    return new AccessKey(this, userName, accessKeyId);
  }

  /** The account password policy (not loaded). */
  AccountPasswordPolicy(): AccountPasswordPolicy {
    return new AccountPasswordPolicy(this);
  }

  /** The group named `name` (not loaded). */
  Group(name: string): Group {
    return new Group(this, name);
  }

  /** The managed policy with ARN `arn` (not loaded). */
  Policy(arn: string): Policy {
    return new Policy(this, arn);
  }

  /** The inline policy `policyName` of user `userName` (not loaded). */
  UserPolicy(userName: string, policyName: string): UserPolicy {
    return new UserPolicy(this, userName, policyName);
  }

  /** The access key `accessKeyId` of user `userName` with its secret (not loaded): boto3's `AccessKeyPair`. */
  AccessKeyPair(userName: string, accessKeyId: string, secret: string): AccessKeyPair {
    return new AccessKeyPair(this, userName, accessKeyId, secret);
  }

  /** The account's entity counts and quotas (not loaded). */
  AccountSummary(): AccountSummary {
    return new AccountSummary(this);
  }

  /** The trust policy of role `roleName` (not loaded). */
  AssumeRolePolicy(roleName: string): AssumeRolePolicy {
    return new AssumeRolePolicy(this, roleName);
  }

  /** The caller, whoever signs the requests (not loaded). */
  CurrentUser(): CurrentUser {
    return new CurrentUser(this);
  }

  /** The inline policy `policyName` of group `groupName` (not loaded). */
  GroupPolicy(groupName: string, policyName: string): GroupPolicy {
    return new GroupPolicy(this, groupName, policyName);
  }

  /** The instance profile named `name` (not loaded). */
  InstanceProfile(name: string): InstanceProfile {
    return new InstanceProfile(this, name);
  }

  /** The MFA device `serialNumber` assigned to user `userName` (not loaded). */
  MfaDevice(userName: string, serialNumber: string): MfaDevice {
    return new MfaDevice(this, userName, serialNumber);
  }

  /** Version `versionId` of the managed policy `arn` (not loaded). */
  PolicyVersion(arn: string, versionId: string): PolicyVersion {
    return new PolicyVersion(this, arn, versionId);
  }

  /** The role named `name` (not loaded). */
  Role(name: string): Role {
    return new Role(this, name);
  }

  /** The inline policy `policyName` of role `roleName` (not loaded). */
  RolePolicy(roleName: string, policyName: string): RolePolicy {
    return new RolePolicy(this, roleName, policyName);
  }

  /** The SAML provider with ARN `arn` (not loaded). */
  SamlProvider(arn: string): SamlProvider {
    return new SamlProvider(this, arn);
  }

  /** The server certificate named `name` (not loaded). */
  ServerCertificate(name: string): ServerCertificate {
    return new ServerCertificate(this, name);
  }

  /** The signing certificate `certificateId` of user `userName` (not loaded). */
  SigningCertificate(userName: string, certificateId: string): SigningCertificate {
    return new SigningCertificate(this, userName, certificateId);
  }

  /** The virtual MFA device with serial number (ARN) `serialNumber` (not loaded). */
  VirtualMfaDevice(serialNumber: string): VirtualMfaDevice {
    return new VirtualMfaDevice(this, serialNumber);
  }

  /** Creates a user (`CreateUser`) and returns it, loaded. */
  async createUser(params: CreateUserCommandInput): Promise<User> {
    const out = await this.call('CreateUser', (c) => c.send(new CreateUserCommand(params)));
    return this.User(out.User!.UserName!)[SET_DATA](out.User);
  }

  /** Creates a group (`CreateGroup`) and returns it, loaded. */
  async createGroup(params: CreateGroupCommandInput): Promise<Group> {
    const out = await this.call('CreateGroup', (c) => c.send(new CreateGroupCommand(params)));
    return this.Group(out.Group!.GroupName!)[SET_DATA](out.Group);
  }

  /** Creates a customer managed policy (`CreatePolicy`) and returns it, loaded. */
  async createPolicy(params: CreatePolicyCommandInput): Promise<Policy> {
    const out = await this.call('CreatePolicy', (c) => c.send(new CreatePolicyCommand(params)));
    return this.Policy(out.Policy!.Arn!)[SET_DATA](out.Policy);
  }

  /** Creates a role (`CreateRole`, `AssumeRolePolicyDocument` required) and returns it, loaded. */
  async createRole(params: CreateRoleCommandInput): Promise<Role> {
    const out = await this.call('CreateRole', (c) => c.send(new CreateRoleCommand(params)));
    return this.Role(out.Role!.RoleName!)[SET_DATA](out.Role);
  }

  /** Creates an instance profile (`CreateInstanceProfile`) and returns it, loaded. */
  async createInstanceProfile(params: CreateInstanceProfileCommandInput): Promise<InstanceProfile> {
    const out = await this.call('CreateInstanceProfile', (c) => c.send(new CreateInstanceProfileCommand(params)));
    return this.InstanceProfile(out.InstanceProfile!.InstanceProfileName!)[SET_DATA](out.InstanceProfile);
  }

  /** Creates a SAML provider (`CreateSAMLProvider`) and returns it, not loaded (IAM answers only its ARN and tags). */
  async createSamlProvider(params: CreateSAMLProviderCommandInput): Promise<SamlProvider> {
    const out = await this.call('CreateSAMLProvider', (c) => c.send(new CreateSAMLProviderCommand(params)));
    return this.SamlProvider(out.SAMLProviderArn!);
  }

  /** Uploads a server certificate (`UploadServerCertificate`) and returns it, not loaded (IAM answers its metadata only). */
  async createServerCertificate(params: UploadServerCertificateCommandInput): Promise<ServerCertificate> {
    await this.call('UploadServerCertificate', (c) => c.send(new UploadServerCertificateCommand(params)));
    return this.ServerCertificate(params.ServerCertificateName!);
  }

  /** Uploads a signing certificate (`UploadSigningCertificate`; without `UserName`, the caller's) and returns it, loaded. */
  async createSigningCertificate(params: UploadSigningCertificateCommandInput): Promise<SigningCertificate> {
    const out = await this.call('UploadSigningCertificate', (c) => c.send(new UploadSigningCertificateCommand(params)));
    const certificate = out.Certificate!;
    return this.SigningCertificate(certificate.UserName!, certificate.CertificateId!)[SET_DATA](certificate);
  }

  /**
   * Creates a virtual MFA device (`CreateVirtualMFADevice`) and returns it, loaded: its
   * `base32StringSeed` and `qrCodePNG` are readable here and never again.
   */
  async createVirtualMfaDevice(params: CreateVirtualMFADeviceCommandInput): Promise<VirtualMfaDevice> {
    const out = await this.call('CreateVirtualMFADevice', (c) => c.send(new CreateVirtualMFADeviceCommand(params)));
    return this.VirtualMfaDevice(out.VirtualMFADevice!.SerialNumber!)[SET_DATA](out.VirtualMFADevice);
  }

  /** Sets the account's alias (`CreateAccountAlias`); boto3 has no resource for it, nor does this layer. */
  async createAccountAlias(params: CreateAccountAliasCommandInput): Promise<void> {
    await this.call('CreateAccountAlias', (c) => c.send(new CreateAccountAliasCommand(params)));
  }

  /** Sets the account password policy (`UpdateAccountPasswordPolicy`) and returns it, not loaded (boto3's `create_account_password_policy`). */
  async createAccountPasswordPolicy(params: UpdateAccountPasswordPolicyCommandInput = {}): Promise<AccountPasswordPolicy> {
    await this.call('UpdateAccountPasswordPolicy', (c) => c.send(new UpdateAccountPasswordPolicyCommand(params)));
    return this.AccountPasswordPolicy();
  }

  /**
   * The caller (`GetUser` without a name), loaded. For the root user, IAM answers with the
   * account's root (no user name, ARN `arn:aws:iam::ACCOUNT:root`): the returned `User` is named
   * `<root_account>` (as the credential report names it) and its `isRoot` is true; it cannot be
   * reloaded by name.
   */
  async currentUser(): Promise<User> {
    const out = await this.call('GetUser', (c) => c.send(new GetUserCommand({})));
    return this.User(out.User!.UserName ?? '<root_account>')[SET_DATA](out.User);
  }

  /**
   * Changes the calling IAM user's own console password (`ChangePassword`). Use an `IAM` made
   * with that user's credentials.
   */
  async changePassword(params: ChangePasswordCommandInput): Promise<void> {
    await this.call('ChangePassword', (c) => c.send(new ChangePasswordCommand(params)));
  }

  /** Every user of the account (`ListUsers`); filter with `{ PathPrefix }`. Users come loaded. */
  readonly users: Collection<User, Omit<ListUsersCommandInput, PagingParams>> = new Collection((filter) => async (Marker, MaxItems) => {
    const out = await this.call('ListUsers', (c) => c.send(new ListUsersCommand({ ...filter, Marker, MaxItems })));
    return { items: (out.Users ?? []).map((u) => this.User(u.UserName!)[SET_DATA](u)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** Every group of the account (`ListGroups`); filter with `{ PathPrefix }`. Groups come loaded. */
  readonly groups: Collection<Group, Omit<ListGroupsCommandInput, PagingParams>> = new Collection((filter) => async (Marker, MaxItems) => {
    const out = await this.call('ListGroups', (c) => c.send(new ListGroupsCommand({ ...filter, Marker, MaxItems })));
    return { items: (out.Groups ?? []).map((g) => this.Group(g.GroupName!)[SET_DATA](g)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /**
   * Managed policies (`ListPolicies`): AWS's and the account's; filter with `{ Scope: 'Local' }`
   * (the account's own), `{ OnlyAttached: true }`, `{ PathPrefix }`. Policies come loaded.
   */
  readonly policies: Collection<Policy, Omit<ListPoliciesCommandInput, PagingParams>> = new Collection((filter) => async (Marker, MaxItems) => {
    const out = await this.call('ListPolicies', (c) => c.send(new ListPoliciesCommand({ ...filter, Marker, MaxItems })));
    return { items: (out.Policies ?? []).map((p) => this.Policy(p.Arn!)[SET_DATA](p)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** Every role of the account (`ListRoles`); filter with `{ PathPrefix }`. Roles come loaded. */
  readonly roles: Collection<Role, Omit<ListRolesCommandInput, PagingParams>> = new Collection((filter) => async (Marker, MaxItems) => {
    const out = await this.call('ListRoles', (c) => c.send(new ListRolesCommand({ ...filter, Marker, MaxItems })));
    return { items: (out.Roles ?? []).map((r) => this.Role(r.RoleName!)[SET_DATA](r)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** Every instance profile of the account (`ListInstanceProfiles`); filter with `{ PathPrefix }`. They come loaded. */
  readonly instanceProfiles: Collection<InstanceProfile, Omit<ListInstanceProfilesCommandInput, PagingParams>> = new Collection((filter) => async (Marker, MaxItems) => {
    const out = await this.call('ListInstanceProfiles', (c) => c.send(new ListInstanceProfilesCommand({ ...filter, Marker, MaxItems })));
    return {
      items: (out.InstanceProfiles ?? []).map((p) => this.InstanceProfile(p.InstanceProfileName!)[SET_DATA](p)),
      isTruncated: out.IsTruncated,
      marker: out.Marker,
    };
  });

  /**
   * Every SAML provider of the account (`ListSAMLProviders`, which IAM answers in one piece: no
   * paging), not loaded (the listing has only ARNs and dates).
   */
  readonly samlProviders: Collection<SamlProvider> = new Collection(() => async () => {
    const out = await this.call('ListSAMLProviders', (c) => c.send(new ListSAMLProvidersCommand({})));
    return { items: (out.SAMLProviderList ?? []).map((p) => this.SamlProvider(p.Arn!)) };
  });

  /** Every server certificate (`ListServerCertificates`); filter with `{ PathPrefix }`. Not loaded (the listing has metadata only). */
  readonly serverCertificates: Collection<ServerCertificate, Omit<ListServerCertificatesCommandInput, PagingParams>> = new Collection(
    (filter) => async (Marker, MaxItems) => {
      const out = await this.call('ListServerCertificates', (c) => c.send(new ListServerCertificatesCommand({ ...filter, Marker, MaxItems })));
      return {
        items: (out.ServerCertificateMetadataList ?? []).map((m) => this.ServerCertificate(m.ServerCertificateName!)),
        isTruncated: out.IsTruncated,
        marker: out.Marker,
      };
    },
  );

  /** Every virtual MFA device (`ListVirtualMFADevices`); filter with `{ AssignmentStatus: 'Assigned' | 'Unassigned' | 'Any' }`. Loaded, without seeds. */
  readonly virtualMfaDevices: Collection<VirtualMfaDevice, Omit<ListVirtualMFADevicesCommandInput, PagingParams>> = new Collection(
    (filter) => async (Marker, MaxItems) => {
      const out = await this.call('ListVirtualMFADevices', (c) => c.send(new ListVirtualMFADevicesCommand({ ...filter, Marker, MaxItems })));
      return {
        items: (out.VirtualMFADevices ?? []).map((d) => this.VirtualMfaDevice(d.SerialNumber!)[SET_DATA](d)),
        isTruncated: out.IsTruncated,
        marker: out.Marker,
      };
    },
  );
}
