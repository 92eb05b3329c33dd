import * as standalone from '../domain/standalone-account.js';
import { type OperationTable, onAccount } from './operation.js';

/**
 * The operations of features an iamd account has no part in (AWS Organizations, temporary
 * delegation for partners), answered as AWS answers a standalone account; and the STS token
 * version preference, which is a real setting (see domain/standalone-account.ts).
 */

const refusedForNoOrganization = (action: string) => ({
  action: `iam:${action}`,
  resource: onAccount,
  handler: async (): Promise<never> => {
    throw standalone.organizationNotFound();
  },
});

export const STANDALONE_ACCOUNT_OPERATIONS: OperationTable = {
  // Centralized root access (AWS Organizations): the account is in no organization.
  EnableOrganizationsRootCredentialsManagement: refusedForNoOrganization('EnableOrganizationsRootCredentialsManagement'),
  DisableOrganizationsRootCredentialsManagement: refusedForNoOrganization('DisableOrganizationsRootCredentialsManagement'),
  EnableOrganizationsRootSessions: refusedForNoOrganization('EnableOrganizationsRootSessions'),
  DisableOrganizationsRootSessions: refusedForNoOrganization('DisableOrganizationsRootSessions'),
  ListOrganizationsFeatures: refusedForNoOrganization('ListOrganizationsFeatures'),
  // The Organizations access report: guessed as the same refusal (the entity path names an
  // organization the account is not in); the model lists no organization error for it.
  GenerateOrganizationsAccessReport: refusedForNoOrganization('GenerateOrganizationsAccessReport'),
  GetOrganizationsAccessReport: {
    action: 'iam:GetOrganizationsAccessReport',
    resource: onAccount,
    handler: async (_domain, _caller, input) => {
      throw standalone.noSuchOrganizationsReport(input.JobId);
    },
  },

  // Temporary delegation (partners only): none can be created, so none exists.
  CreateDelegationRequest: {
    action: 'iam:CreateDelegationRequest',
    resource: onAccount,
    handler: async () => {
      throw standalone.delegationNotOnboarded();
    },
  },
  ListDelegationRequests: {
    action: 'iam:ListDelegationRequests',
    resource: onAccount,
    handler: async () => ({ DelegationRequests: [], isTruncated: false }),
  },
  GetDelegationRequest: {
    action: 'iam:GetDelegationRequest',
    resource: onAccount,
    handler: async (_domain, _caller, input) => {
      throw standalone.noSuchDelegationRequest(input.DelegationRequestId);
    },
  },
  AcceptDelegationRequest: {
    action: 'iam:AcceptDelegationRequest',
    resource: onAccount,
    handler: async (_domain, _caller, input) => {
      throw standalone.noSuchDelegationRequest(input.DelegationRequestId);
    },
  },
  RejectDelegationRequest: {
    action: 'iam:RejectDelegationRequest',
    resource: onAccount,
    handler: async (_domain, _caller, input) => {
      throw standalone.noSuchDelegationRequest(input.DelegationRequestId);
    },
  },
  AssociateDelegationRequest: {
    action: 'iam:AssociateDelegationRequest',
    resource: onAccount,
    handler: async (_domain, _caller, input) => {
      throw standalone.noSuchDelegationRequest(input.DelegationRequestId);
    },
  },
  UpdateDelegationRequest: {
    action: 'iam:UpdateDelegationRequest',
    resource: onAccount,
    handler: async (_domain, _caller, input) => {
      throw standalone.noSuchDelegationRequest(input.DelegationRequestId);
    },
  },
  SendDelegationToken: {
    action: 'iam:SendDelegationToken',
    resource: onAccount,
    handler: async (_domain, _caller, input) => {
      throw standalone.noSuchDelegationRequest(input.DelegationRequestId);
    },
  },
  GetHumanReadableSummary: {
    action: 'iam:GetHumanReadableSummary',
    resource: async (_domain, _caller, input) => ({ arn: input.EntityArn }),
    handler: async (_domain, _caller, input) => {
      throw standalone.humanReadableSummaryRefusal(input.EntityArn);
    },
  },

  // The version of the tokens STS's global endpoint issues: kept, and shown by GetAccountSummary.
  SetSecurityTokenServicePreferences: {
    action: 'iam:SetSecurityTokenServicePreferences',
    resource: onAccount,
    handler: async (domain, _caller, input) => standalone.setGlobalEndpointTokenVersion(domain, input.GlobalEndpointTokenVersion),
  },
};
