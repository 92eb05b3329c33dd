import type { Domain } from './context.js';
import { IamError } from './errors.js';

/**
 * The account alias: a friendly name for the account (its sign-in URL, its virtual MFA devices'
 * labels). An account has at most one; creating another replaces it, as AWS does. Kept in the
 * installation's settings.
 */

const SETTING = 'account_alias';

export const accountAlias = async (domain: Domain): Promise<string | undefined> => domain.store.settings.get(SETTING);

/**
 * The rule AWS states when an alias of an allowed length breaks its pattern (as AWS-compatible
 * services reproduce AWS's answer); the model's generic message covers lengths.
 */
export const invalidAlias = () =>
  new IamError(
    'ValidationError',
    'The specified value for accountAlias is invalid. It must be a minimum length of 3 characters and maximum length of 63 characters, ' +
      'contain only digits, lowercase letters, and hyphens (-), but cannot begin or end with a hyphen.',
  );

export async function createAccountAlias(domain: Domain, alias: string): Promise<void> {
  // Aliases are unique across AWS; here, only the account's own current alias can be taken.
  if ((await accountAlias(domain)) === alias) throw new IamError('EntityAlreadyExists', `The account alias ${alias} already exists.`);
  await domain.store.settings.set(SETTING, alias);
}

/** Removes the alias only when it is the one named (a stale name must not clear a newer alias). */
export async function deleteAccountAlias(domain: Domain, alias: string): Promise<void> {
  if (!(await domain.store.settings.delete(SETTING, alias))) {
    throw new IamError('NoSuchEntity', `The account alias ${alias} cannot be found.`);
  }
}

export async function listAccountAliases(domain: Domain): Promise<string[]> {
  const alias = await accountAlias(domain);
  return alias === undefined ? [] : [alias];
}
