import { getAccountAuthorizationDetails } from '../domain/authorization-details.js';
import { contextKeysForCustomPolicy, contextKeysForPrincipalPolicy } from '../domain/context-keys.js';
import { presentAuthorizationDetails } from './detail-presenters.js';
import { type OperationTable, onAccount, onPolicySource } from './operation.js';

/** The account's whole authorization picture, and the context keys its policies use. */
export const AUTHORIZATION_DETAILS_OPERATIONS: OperationTable = {
  GetAccountAuthorizationDetails: {
    action: 'iam:GetAccountAuthorizationDetails',
    resource: onAccount,
    handler: async (domain, _caller, input) => presentAuthorizationDetails(domain.accountId, await getAccountAuthorizationDetails(domain, input)),
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
