import {
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
  type PasswordPolicy,
  type UpdateAccountPasswordPolicyCommandInput,
} from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';

/**
 * The account password policy: `iam.AccountPasswordPolicy()`. IAM shows `maxPasswordAge`,
 * `passwordReusePrevention` and `hardExpiry` only when they were set; they read `undefined`
 * otherwise.
 *
 * @example
 * ```ts
 * const policy = iam.AccountPasswordPolicy();
 * await policy.update({ MinimumPasswordLength: 12, RequireSymbols: true });
 * await policy.load();
 * policy.minimumPasswordLength; // 12
 * ```
 */
export class AccountPasswordPolicy extends Resource<PasswordPolicy> {
  /** Use `iam.AccountPasswordPolicy()`. */
  constructor(iam: IAM) {
    super(iam);
  }

  /** `AccountPasswordPolicy()`. */
  override toString(): string {
    return 'AccountPasswordPolicy()';
  }

  /** @throws {@link IamClientError} `NoSuchEntity` when the account has no password policy. */
  protected override async fetch(): Promise<PasswordPolicy> {
    const out = await this.iam.call('GetAccountPasswordPolicy', (c) => c.send(new GetAccountPasswordPolicyCommand({})));
    return out.PasswordPolicy!;
  }

  /** The shortest password allowed (6-128). */
  get minimumPasswordLength(): number | undefined {
    return this.attribute('MinimumPasswordLength', 'minimumPasswordLength');
  }
  /** Whether a password needs a symbol. */
  get requireSymbols(): boolean | undefined {
    return this.attribute('RequireSymbols', 'requireSymbols');
  }
  /** Whether a password needs a digit. */
  get requireNumbers(): boolean | undefined {
    return this.attribute('RequireNumbers', 'requireNumbers');
  }
  /** Whether a password needs an upper-case letter. */
  get requireUppercaseCharacters(): boolean | undefined {
    return this.attribute('RequireUppercaseCharacters', 'requireUppercaseCharacters');
  }
  /** Whether a password needs a lower-case letter. */
  get requireLowercaseCharacters(): boolean | undefined {
    return this.attribute('RequireLowercaseCharacters', 'requireLowercaseCharacters');
  }
  /** Whether every IAM user may change its own password. */
  get allowUsersToChangePassword(): boolean | undefined {
    return this.attribute('AllowUsersToChangePassword', 'allowUsersToChangePassword');
  }
  /** Whether passwords expire (derived by IAM from `maxPasswordAge`). */
  get expirePasswords(): boolean | undefined {
    return this.attribute('ExpirePasswords', 'expirePasswords');
  }
  /** Days a password is valid (1-1095), when set. */
  get maxPasswordAge(): number | undefined {
    return this.attribute('MaxPasswordAge', 'maxPasswordAge');
  }
  /** How many previous passwords cannot be reused (1-24), when set. */
  get passwordReusePrevention(): number | undefined {
    return this.attribute('PasswordReusePrevention', 'passwordReusePrevention');
  }
  /** Whether an expired password can only be reset by an administrator, when set. */
  get hardExpiry(): boolean | undefined {
    return this.attribute('HardExpiry', 'hardExpiry');
  }

  /**
   * Sets the policy (`UpdateAccountPasswordPolicy`). IAM replaces the whole policy: members left
   * out return to their defaults. Loaded attributes are not refreshed: call `reload()`.
   */
  async update(params: UpdateAccountPasswordPolicyCommandInput = {}): Promise<void> {
    await this.iam.call('UpdateAccountPasswordPolicy', (c) => c.send(new UpdateAccountPasswordPolicyCommand(params)));
  }

  /** Removes the policy (`DeleteAccountPasswordPolicy`); `NoSuchEntity` when there is none. */
  async delete(): Promise<void> {
    await this.iam.call('DeleteAccountPasswordPolicy', (c) => c.send(new DeleteAccountPasswordPolicyCommand({})));
  }
}
