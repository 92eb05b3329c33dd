import type { Caller } from './entities.js';
import { callerArn } from './context.js';
import { errors } from './errors.js';
import type { PasswordPolicyRepository } from '../ports/store.js';

/** Decides whether a caller may perform an action on a resource; throws AccessDenied if not. */
export interface Authorizer {
  authorize(caller: Caller, action: string, resourceArn: string): Promise<void>;
}

/** What an IAM user may always do on itself, before any policy is evaluated. */
const SELF_SERVICE_ACTIONS = new Set(['iam:GetUser', 'iam:ListAccessKeys']);

/**
 * The interim rule, until IAM policies are evaluated: the root user may do everything; an IAM
 * user may read itself, and, when the account password policy sets AllowUsersToChangePassword,
 * change its own password and read the policy (AWS's account-level grant). Everything else is
 * AWS's implicit deny.
 */
export function selfServiceAuthorizer(passwordPolicy: PasswordPolicyRepository): Authorizer {
  return {
    async authorize(caller, action, resourceArn) {
      if (caller.kind === 'root') return;
      const self = callerArn(caller);
      if (SELF_SERVICE_ACTIONS.has(action) && resourceArn === self) return;
      if (
        (action === 'iam:GetAccountPasswordPolicy' || (action === 'iam:ChangePassword' && resourceArn === self)) &&
        (await passwordPolicy.get())?.allowUsersToChangePassword
      ) {
        return;
      }
      throw errors.accessDenied(self, action, resourceArn, 'implicit');
    },
  };
}
