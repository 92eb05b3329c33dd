import type { User } from './entities.js';
import type { Domain } from './context.js';
import { IamError, validationError } from './errors.js';
import { passwordRuleViolations } from './password-policy.js';
import type { PasswordWrite } from '../ports/store.js';

/** The most previous passwords any policy can protect (PasswordReusePrevention's maximum). */
export const PASSWORD_HISTORY_LIMIT = 24;

/**
 * Checks a new password against every rule in force, and only then hashes it. The rules, in the
 * order they are reported: the account policy (or AWS's default), the optional blocklist, and
 * reuse of any of the last PasswordReusePrevention passwords. One PasswordPolicyViolation names
 * every rule not met; nothing is written by this function.
 */
export async function acceptNewPassword(domain: Domain, user: User, password: string): Promise<PasswordWrite> {
  checkPasswordShape(password);
  const policy = await domain.store.passwordPolicy.get();
  const { violations, usingDefault } = passwordRuleViolations(password, policy, {
    userName: user.name,
    accountId: domain.accountId,
    defaultMode: domain.passwordRules.defaultMode,
  });
  if (domain.passwordRules.blocklist?.has(password.toLowerCase())) {
    violations.push('Password should not be a commonly used or compromised password');
  }
  if (policy?.passwordReusePrevention && (await reusesPreviousPassword(domain, user, password, policy.passwordReusePrevention))) {
    violations.push(`Password should not be one of your ${policy.passwordReusePrevention} previous passwords`);
  }
  if (violations.length > 0) throw policyViolation(violations, usingDefault);
  return {
    passwordHash: await domain.hasher.hash(password),
    passwordChangedAt: domain.clock.now(),
    historyLimit: PASSWORD_HISTORY_LIMIT,
  };
}

/**
 * Compares the candidate with each remembered hash. The comparisons run concurrently on the
 * hasher's thread pool (argon2 verification costs as much as hashing), so 24 of them take about
 * 24 x hash time / pool size, and the event loop stays free meanwhile.
 */
async function reusesPreviousPassword(domain: Domain, user: User, password: string, count: number): Promise<boolean> {
  const previous = await domain.store.loginProfiles.passwordHistory(user.id, count);
  const matches = await Promise.all(previous.map((hash) => domain.hasher.verify(hash, password)));
  return matches.includes(true);
}

/**
 * AWS's wording: with a custom policy it says the password does not conform; with the default
 * policy it lists the requirements. iamd always names every rule not met, after AWS's sentence.
 */
function policyViolation(violations: string[], usingDefault: boolean) {
  const rules = violations.join(', ');
  return new PasswordPolicyViolation(usingDefault ? rules : `Password does not conform to the account password policy. ${rules}`, violations);
}

/** A PasswordPolicyViolation that also lists the rules one by one, for the console to show. */
export class PasswordPolicyViolation extends IamError {
  constructor(
    message: string,
    readonly rules: readonly string[],
  ) {
    super('PasswordPolicyViolation', message);
  }
}

/**
 * The service model's passwordType: 1 to 128 characters of tab, newline, carriage return and
 * U+0020-U+00FF. An API request is checked against the model before it gets here; the console's
 * forms are not, and a password set there that the model refuses would shut its user out of
 * ChangePassword, whose OldPassword the model checks too. So every new password meets it here as
 * well, refused in the API's words (without the value: it is a password).
 */
const PASSWORD_MAX = 128;
const PASSWORD_PATTERN = '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+';
function checkPasswordShape(password: string): void {
  const violations: string[] = [];
  if (password.length === 0) violations.push('Member must have length greater than or equal to 1');
  if (password.length > PASSWORD_MAX) violations.push(`Member must have length less than or equal to ${PASSWORD_MAX}`);
  if (password.length > 0 && !/^[\t\n\r\u0020-\u00FF]+$/.test(password)) violations.push(`Member must satisfy regular expression pattern: ${PASSWORD_PATTERN}`);
  if (violations.length > 0) throw validationError(violations.map((v) => `Value at 'newPassword' failed to satisfy constraint: ${v}`));
}
