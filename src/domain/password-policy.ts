/**
 * The account password policy and the rules a new password must meet.
 *
 * Semantics follow AWS: UpdateAccountPasswordPolicy replaces the whole policy (members left out
 * return to their defaults); GetAccountPasswordPolicy shows MaxPasswordAge, PasswordReusePrevention
 * and HardExpiry only when they were set, and ExpirePasswords derived from MaxPasswordAge.
 * With no policy at all, AWS's documented default applies (8-128 characters, three of the four
 * character classes, not the user name or account id); IAMD_DEFAULT_PASSWORD_POLICY=none turns
 * that default off for suites written against permissive emulators.
 */

export interface PasswordPolicy {
  minimumPasswordLength: number;
  requireSymbols: boolean;
  requireNumbers: boolean;
  requireUppercaseCharacters: boolean;
  requireLowercaseCharacters: boolean;
  allowUsersToChangePassword: boolean;
  /** Days; absent = passwords never expire. */
  maxPasswordAge?: number;
  /** How many previous passwords may not be reused; absent = no check. */
  passwordReusePrevention?: number;
  hardExpiry?: boolean;
}

export type DefaultPolicyMode = 'aws' | 'none';

/** AWS's symbol set for RequireSymbols: ! @ # $ % ^ & * ( ) _ + - = [ ] { } | ' */
export const SYMBOLS = "!@#$%^&*()_+-=[]{}|'";

const hasUpper = (p: string) => /[A-Z]/.test(p);
const hasLower = (p: string) => /[a-z]/.test(p);
const hasNumber = (p: string) => /[0-9]/.test(p);
const hasSymbol = (p: string) => [...p].some((c) => SYMBOLS.includes(c));

/** The policy as UpdateAccountPasswordPolicy stores it: every member left out at its default. */
export function policyFromInput(input: {
  MinimumPasswordLength?: number;
  RequireSymbols?: boolean;
  RequireNumbers?: boolean;
  RequireUppercaseCharacters?: boolean;
  RequireLowercaseCharacters?: boolean;
  AllowUsersToChangePassword?: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}): PasswordPolicy {
  const policy: PasswordPolicy = {
    minimumPasswordLength: input.MinimumPasswordLength ?? 6,
    requireSymbols: input.RequireSymbols ?? false,
    requireNumbers: input.RequireNumbers ?? false,
    requireUppercaseCharacters: input.RequireUppercaseCharacters ?? false,
    requireLowercaseCharacters: input.RequireLowercaseCharacters ?? false,
    allowUsersToChangePassword: input.AllowUsersToChangePassword ?? false,
  };
  if (input.MaxPasswordAge !== undefined) policy.maxPasswordAge = input.MaxPasswordAge;
  if (input.PasswordReusePrevention !== undefined) policy.passwordReusePrevention = input.PasswordReusePrevention;
  if (input.HardExpiry !== undefined) policy.hardExpiry = input.HardExpiry;
  return policy;
}

/**
 * Every rule the password breaks, in a fixed order, as sentences in AWS's style
 * ("Password should have at least one uppercase letter"). Empty when it complies.
 * `policy` undefined means no custom policy: the built-in default applies (unless turned off).
 */
export function passwordRuleViolations(
  password: string,
  policy: PasswordPolicy | undefined,
  context: { userName: string; accountId: string; defaultMode: DefaultPolicyMode },
): { violations: string[]; usingDefault: boolean } {
  if (policy) {
    const violations: string[] = [];
    if (password.length < policy.minimumPasswordLength)
      violations.push(`Password should have a minimum length of ${policy.minimumPasswordLength}`);
    if (policy.requireLowercaseCharacters && !hasLower(password)) violations.push('Password should have at least one lowercase letter');
    if (policy.requireUppercaseCharacters && !hasUpper(password)) violations.push('Password should have at least one uppercase letter');
    if (policy.requireNumbers && !hasNumber(password)) violations.push('Password should have at least one number');
    if (policy.requireSymbols && !hasSymbol(password)) violations.push('Password should have at least one symbol');
    return { violations, usingDefault: false };
  }
  if (context.defaultMode === 'none') return { violations: [], usingDefault: true };

  // AWS's default policy: 8 characters at least, three of the four classes, not the user name
  // or the account id.
  const violations: string[] = [];
  if (password.length < 8) violations.push('Password should have a minimum length of 8');
  const missing: string[] = [];
  if (!hasUpper(password)) missing.push('Password should have at least one uppercase letter');
  if (!hasLower(password)) missing.push('Password should have at least one lowercase letter');
  if (!hasNumber(password)) missing.push('Password should have at least one number');
  if (!hasSymbol(password)) missing.push('Password should have at least one symbol');
  if (missing.length > 1) {
    violations.push(`Password should meet ${missing.length - 1} more of the following requirements: ${missing.join(', ')}`);
  }
  if (password.toLowerCase() === context.userName.toLowerCase()) violations.push('Password should not be the same as your user name');
  if (password === context.accountId) violations.push('Password should not be the same as your account id');
  return { violations, usingDefault: true };
}

/** When a password set at `changedAt` expires under the policy, or undefined if it never does. */
export function passwordExpiresAt(changedAt: Date, policy: PasswordPolicy | undefined): Date | undefined {
  if (!policy?.maxPasswordAge) return undefined;
  return new Date(changedAt.getTime() + policy.maxPasswordAge * 86_400_000);
}

export function isPasswordExpired(changedAt: Date, policy: PasswordPolicy | undefined, now: Date): boolean {
  const expiresAt = passwordExpiresAt(changedAt, policy);
  return expiresAt !== undefined && now >= expiresAt;
}
