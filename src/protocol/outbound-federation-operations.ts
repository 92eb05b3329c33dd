import { disableOutboundFederation, enableOutboundFederation, issuerBase, outboundFederationInfo } from '../domain/outbound-federation.js';
import { type OperationTable, onAccount } from './operation.js';

/**
 * Outbound web identity federation, an account setting (see domain/outbound-federation.ts); the
 * tokens themselves are STS's GetWebIdentityToken (sts-operations.ts).
 */
export const OUTBOUND_FEDERATION_OPERATIONS: OperationTable = {
  EnableOutboundWebIdentityFederation: {
    action: 'iam:EnableOutboundWebIdentityFederation',
    resource: onAccount,
    handler: async (domain, _caller, _input, request) => enableOutboundFederation(domain, issuerBase(domain, request)),
  },
  DisableOutboundWebIdentityFederation: {
    action: 'iam:DisableOutboundWebIdentityFederation',
    resource: onAccount,
    handler: async (domain) => disableOutboundFederation(domain),
  },
  GetOutboundWebIdentityFederationInfo: {
    action: 'iam:GetOutboundWebIdentityFederationInfo',
    resource: onAccount,
    handler: async (domain) => outboundFederationInfo(domain),
  },
};
