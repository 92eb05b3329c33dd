import type { LoginProfile, User } from './entities.js';
import { type Domain, requireUser } from './context.js';
import { errors } from './errors.js';

/**
 * Login profiles: an IAM user's console password. The password arrives already checked against
 * the model's allowed characters and lengths; here it is hashed (off the event loop) and only the
 * hash is stored.
 */

export async function createLoginProfile(
  domain: Domain,
  input: { UserName: string; Password: string; PasswordResetRequired?: boolean },
): Promise<{ profile: LoginProfile; user: User }> {
  const user = await requireUser(domain, input.UserName);
  if (await domain.store.loginProfiles.get(user.id)) throw errors.loginProfileExists(user.name);
  const now = domain.clock.now();
  const profile: LoginProfile = {
    userId: user.id,
    passwordHash: await domain.hasher.hash(input.Password),
    createdAt: now,
    passwordChangedAt: now,
    passwordResetRequired: input.PasswordResetRequired ?? false,
  };
  // The check above is repeated atomically by the store: two racing creates end in one success
  // and one EntityAlreadyExists, and a user deleted meanwhile ends in NoSuchEntity.
  if (!(await domain.store.loginProfiles.create(profile))) {
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

/** UpdateLoginProfile: only the members given change. */
export async function updateLoginProfile(
  domain: Domain,
  input: { UserName: string; Password?: string; PasswordResetRequired?: boolean },
): Promise<void> {
  const { user } = await getLoginProfile(domain, input.UserName);
  const change: { passwordHash?: string; passwordChangedAt?: Date; passwordResetRequired?: boolean } = {};
  if (input.Password !== undefined) {
    change.passwordHash = await domain.hasher.hash(input.Password);
    change.passwordChangedAt = domain.clock.now();
  }
  if (input.PasswordResetRequired !== undefined) change.passwordResetRequired = input.PasswordResetRequired;
  if (!(await domain.store.loginProfiles.update(user.id, change))) throw errors.noSuchLoginProfile(user.name);
}

export async function deleteLoginProfile(domain: Domain, userName: string): Promise<void> {
  const user = await requireUser(domain, userName);
  if (!(await domain.store.loginProfiles.delete(user.id))) throw errors.noSuchLoginProfile(user.name);
}
