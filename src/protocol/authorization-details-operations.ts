import { getAccountAuthorizationDetails } from '../domain/authorization-details.js';
import { contextKeysForCustomPolicy, contextKeysForPrincipalPolicy } from '../domain/context-keys.js';
import { withShownTrustPolicies } from '../domain/trust-principals.js';
import { presentAuthorizationDetails } from './detail-presenters.js';
import { type OperationTable, onAccount, onPolicySource } from './operation.js';

/** The account's whole authorization picture, and the context keys its policies use. */
export const AUTHORIZATION_DETAILS_OPERATIONS: OperationTable = {
  GetAccountAuthorizationDetails: {
    action: 'iam:GetAccountAuthorizationDetails',
    resource: onAccount,
    handler: async (domain, _caller, input) => {
      const details = await getAccountAuthorizationDetails(domain, input);
      // Trust policies as GetRole shows them (a deleted principal as its id), the roles embedded in
      // the instance profiles too: one read for the principals of them all, taken back in order.
      const shown = await withShownTrustPolicies(
        domain,
        details.roles.flatMap((d) => [d.role, ...d.profiles.flatMap((p) => p.roles)]),
      );
      let next = 0;
      const roles = details.roles.map((d) => ({
        ...d,
        role: shown[next++]!,
        profiles: d.profiles.map((p) => ({ ...p, roles: p.roles.map(() => shown[next++]!) })),
      }));
      return presentAuthorizationDetails(domain.accountId, { ...details, roles });
    },
  },
  GetContextKeysForCustomPolicy: {
    action: 'iam:GetContextKeysForCustomPolicy',
    resource: onAccount,
    handler: async (_domain, _caller, input) => ({ ContextKeyNames: contextKeysForCustomPolicy(input) }),
  },
  GetContextKeysForPrincipalPolicy: {
    action: 'iam:GetContextKeysForPrincipalPolicy',
    resource: onPolicySource,
    handler: async (domain, _caller, input) => ({ ContextKeyNames: await contextKeysForPrincipalPolicy(domain, input) }),
  },
};
