import * as advisor from '../domain/access-advisor.js';
import { type OperationTable, onAccount } from './operation.js';

/** Access advisor: service last-accessed reports (see domain/access-advisor.ts for what they hold). */
export const ACCESS_ADVISOR_OPERATIONS: OperationTable = {
  GenerateServiceLastAccessedDetails: {
    action: 'iam:GenerateServiceLastAccessedDetails',
    // AWS authorizes this on the entity reported on.
    resource: async (_domain, _caller, input) => ({ arn: input.Arn }),
    handler: async (domain, _caller, input) => ({ JobId: await advisor.generateServiceLastAccessedDetails(domain, input) }),
  },
  GetServiceLastAccessedDetails: {
    action: 'iam:GetServiceLastAccessedDetails',
    resource: onAccount,
    handler: async (domain, _caller, input) => advisor.getServiceLastAccessedDetails(domain, input),
  },
  GetServiceLastAccessedDetailsWithEntities: {
    action: 'iam:GetServiceLastAccessedDetailsWithEntities',
    resource: onAccount,
    handler: async (domain, _caller, input) => advisor.getServiceLastAccessedDetailsWithEntities(domain, input),
  },
  ListPoliciesGrantingServiceAccess: {
    action: 'iam:ListPoliciesGrantingServiceAccess',
    resource: async (_domain, _caller, input) => ({ arn: input.Arn }),
    handler: async (domain, _caller, input) => advisor.listPoliciesGrantingServiceAccess(domain, input),
  },
};
