import {
  CreateLoginProfileCommand,
  DeleteLoginProfileCommand,
  GetLoginProfileCommand,
  UpdateLoginProfileCommand,
  type CreateLoginProfileCommandInput,
  type LoginProfile as LoginProfileData,
  type UpdateLoginProfileCommandInput,
} from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource, SET_DATA } from './resource.js';
import type { User } from './user.js';
import { waitFor, type WaiterOptions } from './waiters.js';

/**
 * A user's login profile (console password), identified by the user's name:
 * `iam.LoginProfile('alice')`. IAM never returns the password itself.
 *
 * @example
 * ```ts
 * await iam.LoginProfile('alice').update({ Password: 'New-Passw0rd!', PasswordResetRequired: true });
 * const lp = await iam.LoginProfile('alice').load();
 * lp.passwordResetRequired; // true
 * ```
 */
export class LoginProfile extends Resource<LoginProfileData> {
  /** The name of the user the profile belongs to (its identifier). */
  readonly userName: string;

  /** Use `iam.LoginProfile(userName)`. */
  constructor(iam: IAM, userName: string) {
    super(iam);
    this.userName = userName;
  }

  /** `LoginProfile("alice")`. */
  override toString(): string {
    return `LoginProfile(${JSON.stringify(this.userName)})`;
  }

  protected override async fetch(): Promise<LoginProfileData> {
    const out = await this.iam.call('GetLoginProfile', (c) => c.send(new GetLoginProfileCommand({ UserName: this.userName })));
    return out.LoginProfile!;
  }

  /** When the login profile (not the current password) was created. */
  get createDate(): Date {
    return this.attribute('CreateDate', 'createDate')!;
  }
  /** Whether the user must set a new password at the next sign-in. */
  get passwordResetRequired(): boolean {
    return this.attribute('PasswordResetRequired', 'passwordResetRequired') ?? false;
  }

  /** The user the profile belongs to (a reference: not loaded). */
  get user(): User {
    return this.iam.User(this.userName);
  }

  /**
   * Gives the user a console password (`CreateLoginProfile`) and loads the profile.
   *
   * @throws {@link IamClientError} `EntityAlreadyExists`, `NoSuchEntity` (no such user),
   *   `PasswordPolicyViolation`, `ValidationError`.
   */
  async create(params: Omit<CreateLoginProfileCommandInput, 'UserName'>): Promise<this> {
    const out = await this.iam.call('CreateLoginProfile', (c) => c.send(new CreateLoginProfileCommand({ ...params, UserName: this.userName })));
    return this[SET_DATA](out.LoginProfile);
  }

  /**
   * Changes the password and/or `PasswordResetRequired` (`UpdateLoginProfile`); only the members
   * given change. Loaded attributes are not refreshed: call `reload()` to see the new state.
   *
   * @throws {@link IamClientError} `NoSuchEntity`, `PasswordPolicyViolation`, `ValidationError`,
   *   `EntityTemporarilyUnmodifiable`.
   */
  async update(params: Omit<UpdateLoginProfileCommandInput, 'UserName'>): Promise<void> {
    await this.iam.call('UpdateLoginProfile', (c) => c.send(new UpdateLoginProfileCommand({ ...params, UserName: this.userName })));
  }

  /** Removes the console password (`DeleteLoginProfile`). */
  async delete(): Promise<void> {
    await this.iam.call('DeleteLoginProfile', (c) => c.send(new DeleteLoginProfileCommand({ UserName: this.userName })));
  }

  /** Waits until the login profile exists (polls `GetLoginProfile`; default every second, 20 times). */
  waitUntilExists(options?: WaiterOptions): Promise<void> {
    return waitFor(`${this} to exist`, () => this.exists(), options);
  }

  /** Waits until the login profile no longer exists. */
  waitUntilNotExists(options?: WaiterOptions): Promise<void> {
    return waitFor(`${this} not to exist`, async () => !(await this.exists()), options);
  }
}
