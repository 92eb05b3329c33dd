import {
  ChangePasswordCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  GetUserCommand,
  IAMClient,
  ListGroupsCommand,
  ListPoliciesCommand,
  ListUsersCommand,
  type ChangePasswordCommandInput,
  type CreateGroupCommandInput,
  type CreatePolicyCommandInput,
  type CreateUserCommandInput,
  type IAMClientConfig,
  type ListGroupsCommandInput,
  type ListPoliciesCommandInput,
  type ListUsersCommandInput,
} from '@aws-sdk/client-iam';
import { AccessKey } from './access-key.js';
import { AccountPasswordPolicy } from './account-password-policy.js';
import { Collection } from './collections.js';
import { toIamClientError } from './errors.js';
import { Group } from './group.js';
import { LoginProfile } from './login-profile.js';
import { Policy } from './policy.js';
import { SET_DATA } from './resource.js';
import { User } from './user.js';
import { UserPolicy } from './user-policy.js';

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
}
