import type { Domain } from './context.js';
import { IamError } from './errors.js';
import { type PasswordPolicy, policyFromInput } from './password-policy.js';

export async function updateAccountPasswordPolicy(domain: Domain, input: Parameters<typeof policyFromInput>[0]): Promise<void> {
  await domain.store.passwordPolicy.put(policyFromInput(input));
}

export async function getAccountPasswordPolicy(domain: Domain): Promise<PasswordPolicy> {
  const policy = await domain.store.passwordPolicy.get();
  // AWS names the account id as the "domain" (responses quoted in aws/aws-cli#7265).
  if (!policy) throw new IamError('NoSuchEntity', `The Password Policy with domain name ${domain.accountId} cannot be found.`);
  return policy;
}

export async function deleteAccountPasswordPolicy(domain: Domain): Promise<void> {
  if (!(await domain.store.passwordPolicy.delete())) {
    throw new IamError('NoSuchEntity', 'The account policy with name PasswordPolicy cannot be found.');
  }
}
