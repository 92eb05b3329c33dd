import type { Caller, LoginProfile, User } from './entities.js';
import { type Domain, requireUser } from './context.js';
import { errors, IamError } from './errors.js';
import { acceptNewPassword, PASSWORD_HISTORY_LIMIT } from './passwords.js';
import { isPasswordExpired } from './password-policy.js';
import { userThrottleKey } from './throttle-keys.js';

/**
 * Login profiles: an IAM user's console password. A password arrives already checked against
 * the model's allowed characters and lengths; here it meets the account's rules, is hashed (off
 * the event loop), and only the hash is stored, with the reuse history, in one write.
 */

export async function createLoginProfile(
  domain: Domain,
  input: { UserName: string; Password: string; PasswordResetRequired?: boolean },
): Promise<{ profile: LoginProfile; user: User }> {
  const user = await requireUser(domain, input.UserName);
  if (await domain.store.loginProfiles.get(user.id)) throw errors.loginProfileExists(user.name);
  const password = await acceptNewPassword(domain, user, input.Password);
  const profile: LoginProfile = {
    userId: user.id,
    passwordHash: password.passwordHash,
    createdAt: password.passwordChangedAt,
    passwordChangedAt: password.passwordChangedAt,
    passwordResetRequired: input.PasswordResetRequired ?? false,
  };
  // The check above is repeated atomically by the store: two racing creates end in one success
  // and one EntityAlreadyExists, and a user deleted meanwhile ends in NoSuchEntity.
  if (!(await domain.store.loginProfiles.create(profile, PASSWORD_HISTORY_LIMIT))) {
    if (!(await domain.store.users.getById(user.id))) throw errors.noSuchUser(input.UserName);
    throw errors.loginProfileExists(user.name);
  }
  return { profile, user };
}

export async function getLoginProfile(domain: Domain, userName: string): Promise<{ profile: LoginProfile; user: User }> {
  const user = await requireUser(domain, userName);
  const profile = await domain.store.loginProfiles.get(user.id);
  if (!profile) throw errors.noSuchLoginProfile(user.name);
  return { profile, user };
}

/** UpdateLoginProfile: only the members given change; a flag alone checks no password. */
export async function updateLoginProfile(
  domain: Domain,
  input: { UserName: string; Password?: string; PasswordResetRequired?: boolean },
): Promise<void> {
  const { user } = await getLoginProfile(domain, input.UserName);
  const password = input.Password === undefined ? undefined : await acceptNewPassword(domain, user, input.Password);
  const result = await domain.store.loginProfiles.update(user.id, { password, passwordResetRequired: input.PasswordResetRequired });
  if (result === 'missing') throw errors.noSuchLoginProfile(user.name);
  // An administrator's new password also lifts a console sign-in lock-out.
  if (password) await domain.store.signInThrottle.clear(userThrottleKey(domain.accountId, user.name));
}

export async function deleteLoginProfile(domain: Domain, userName: string): Promise<void> {
  const user = await requireUser(domain, userName);
  if (!(await domain.store.loginProfiles.delete(user.id))) throw errors.noSuchLoginProfile(user.name);
}

/** Failed old-password checks allowed per user in a window before ChangePassword answers LimitExceeded. */
export const CHANGE_PASSWORD_MAX_FAILURES = 5;
export const CHANGE_PASSWORD_FAILURE_WINDOW_MS = 15 * 60_000;

/**
 * ChangePassword: the calling IAM user changes its own password. The old password is verified
 * in constant time (argon2's own comparison); repeated failures are refused before any hashing.
 * Success clears PasswordResetRequired and restarts the expiry clock.
 */
export async function changePassword(
  domain: Domain,
  caller: Caller,
  input: { OldPassword: string; NewPassword: string },
): Promise<void> {
  if (caller.kind !== 'user') {
    throw new IamError('InvalidUserType', 'Only IAM users can change their own password; the root user changes it in the root sign-in settings.');
  }
  const { user, profile } = await getLoginProfile(domain, caller.user.name);
  const now = domain.clock.now();
  const throttleKey = `change-password:${user.id}`;
  const { failures } = domain.store;
  // Each attempt takes its slot atomically before any hashing, so parallel guesses cannot race
  // past the limit (the flaw of ZITADEL's GHSA-7h8m-vrxx-vr4m); a correct old password frees them.
  if ((await failures.increment(throttleKey, now, CHANGE_PASSWORD_FAILURE_WINDOW_MS)) > CHANGE_PASSWORD_MAX_FAILURES) {
    throw tooManyFailures(user.name);
  }
  if (!(await domain.hasher.verify(profile.passwordHash, input.OldPassword))) {
    throw new IamError('AccessDenied', 'The old password is incorrect.');
  }
  await failures.reset(throttleKey);
  const policy = await domain.store.passwordPolicy.get();
  if (policy?.hardExpiry && isPasswordExpired(profile.passwordChangedAt, policy, now)) {
    throw new IamError(
      'EntityTemporarilyUnmodifiable',
      'The password has expired and the account password policy requires an administrator to reset it.',
    );
  }
  const password = await acceptNewPassword(domain, user, input.NewPassword);
  // Compare-and-set on the old hash: of two racing changes from the same old password, one wins.
  const result = await domain.store.loginProfiles.update(user.id, {
    password,
    passwordResetRequired: false,
    expectedHash: profile.passwordHash,
  });
  if (result === 'missing') throw errors.noSuchLoginProfile(user.name);
  if (result === 'stale') {
    throw new IamError('EntityTemporarilyUnmodifiable', 'The password was changed by another request; try again.');
  }
}

const tooManyFailures = (userName: string) =>
  new IamError('LimitExceeded', `Too many failed attempts to change the password of user ${userName}. Try again later.`);
