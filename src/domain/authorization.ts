import type { Caller } from './entities.js';
import { callerArn } from './context.js';
import { errors } from './errors.js';

/**
 * Decides whether a caller may perform an action on a resource. The interim rule, until IAM
 * policies are evaluated: the root user may do everything; an IAM user may only use the
 * self-service actions, and only on itself. Everything else is AWS's implicit deny.
 */
export interface Authorizer {
  authorize(caller: Caller, action: string, resourceArn: string): Promise<void>;
}

const SELF_SERVICE_ACTIONS = new Set([
  'iam:GetUser',
  'iam:ListAccessKeys',
  'iam:ChangePassword',
]);

export const selfServiceAuthorizer: Authorizer = {
  async authorize(caller, action, resourceArn) {
    if (caller.kind === 'root') return;
    const self = callerArn(caller);
    if (SELF_SERVICE_ACTIONS.has(action) && resourceArn === self) return;
    throw errors.accessDenied(self, action, resourceArn, 'implicit');
  },
};
