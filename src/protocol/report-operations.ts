import * as reports from '../domain/credential-report.js';
import * as simulation from '../domain/simulate.js';
import { MAX_ACCESS_KEYS_PER_USER } from '../domain/access-keys.js';
import { MAX_SIGNING_CERTIFICATES } from '../domain/signing-certificates.js';
import { MAX_SERVER_CERTIFICATES } from '../domain/server-certificates.js';
import { globalEndpointTokenVersion } from '../domain/standalone-account.js';
import { MAX_ATTACHED_POLICIES, MAX_POLICY_VERSIONS } from '../domain/policies.js';
import { type OperationTable, onAccount, onPolicySource } from './operation.js';
import { accountQuotas, type Domain } from '../domain/context.js';
import { INLINE_POLICY_SIZE, MANAGED_POLICY_SIZE, MAX_GROUPS_PER_USER, TRUST_POLICY_SIZE } from '../domain/quotas.js';

/** Credential report, account summary, and the policy simulator. */

const presentSimulation = (page: simulation.SimulationPage) => ({
  EvaluationResults: page.results.map((r) => ({
    EvalActionName: r.action,
    EvalResourceName: r.resource,
    EvalDecision: r.decision,
    MatchedStatements: r.matched.map((m) => ({ SourcePolicyId: m.sourcePolicyId, SourcePolicyType: m.sourcePolicyType })),
    MissingContextValues: [],
  })),
  IsTruncated: page.isTruncated,
  Marker: page.marker,
});

export const REPORT_OPERATIONS: OperationTable = {
  GenerateCredentialReport: {
    action: 'iam:GenerateCredentialReport',
    resource: onAccount,
    handler: async (domain) => {
      const { state, description } = await reports.generateCredentialReport(domain);
      return { State: state, Description: description };
    },
  },
  GetCredentialReport: {
    action: 'iam:GetCredentialReport',
    resource: onAccount,
    handler: async (domain) => {
      const { content, generatedAt } = await reports.getCredentialReport(domain);
      return { Content: content, ReportFormat: 'text/csv', GeneratedTime: generatedAt };
    },
  },
  GetAccountSummary: {
    action: 'iam:GetAccountSummary',
    resource: onAccount,
    handler: async (domain) => {
      const { store } = domain;
      const mfa = await store.mfaDevices.counts();
      const quotas = accountQuotas(domain);
      const summary: Record<string, number> = {
        Users: await store.users.count(),
        UsersQuota: quotas.UsersQuota,
        Groups: await store.groups.count(),
        GroupsQuota: quotas.GroupsQuota,
        ServerCertificates: await store.serverCertificates.count(),
        ServerCertificatesQuota: MAX_SERVER_CERTIFICATES,
        Roles: await store.roles.count(),
        RolesQuota: quotas.RolesQuota,
        InstanceProfiles: await store.instanceProfiles.count(),
        InstanceProfilesQuota: quotas.InstanceProfilesQuota,
        Policies: await store.managedPolicies.count(),
        // Attachments of customer managed policies to users, groups and roles (each one a version
        // in use), against AWS's quota.
        PolicyVersionsInUse: await customerPolicyAttachments(domain),
        PolicyVersionsInUseQuota: 10_000,
        PoliciesQuota: quotas.PoliciesQuota,
        PolicySizeQuota: MANAGED_POLICY_SIZE,
        VersionsPerPolicyQuota: MAX_POLICY_VERSIONS,
        AttachedPoliciesPerUserQuota: MAX_ATTACHED_POLICIES,
        AttachedPoliciesPerGroupQuota: MAX_ATTACHED_POLICIES,
        AttachedPoliciesPerRoleQuota: MAX_ATTACHED_POLICIES,
        GroupsPerUserQuota: MAX_GROUPS_PER_USER,
        AccessKeysPerUserQuota: MAX_ACCESS_KEYS_PER_USER,
        SigningCertificatesPerUserQuota: MAX_SIGNING_CERTIFICATES,
        UserPolicySizeQuota: INLINE_POLICY_SIZE.user,
        GroupPolicySizeQuota: INLINE_POLICY_SIZE.group,
        RolePolicySizeQuota: INLINE_POLICY_SIZE.role,
        AssumeRolePolicySizeQuota: TRUST_POLICY_SIZE,
        AccountAccessKeysPresent: (await store.accessKeys.listForOwner(null)).length > 0 ? 1 : 0,
        AccountSigningCertificatesPresent: (await store.signingCertificates.listForOwner(null)).length > 0 ? 1 : 0,
        // The root user of an iamd account signs in with keys only: it has no password and no MFA
        // device (virtual devices are enabled for IAM users), so AccountMFAEnabled stays 0.
        AccountPasswordPresent: 0,
        AccountMFAEnabled: 0,
        // Every virtual MFA device, and those enabled for a user (as AWS counts them: recorded).
        MFADevices: mfa.devices,
        MFADevicesInUse: mfa.inUse,
        // SetSecurityTokenServicePreferences: 1 (AWS's default) or 2.
        GlobalEndpointTokenVersion: await globalEndpointTokenVersion(domain),
        // OIDC and SAML identity providers together (AWS's one Providers count; each kind is
        // bounded at 100, so listing them is cheap).
        Providers: (await store.oidcProviders.list()).length + (await store.samlProviders.listAll()).length,
      };
      return { SummaryMap: summary };
    },
  },
  SimulatePrincipalPolicy: {
    action: 'iam:SimulatePrincipalPolicy',
    resource: onPolicySource,
    handler: async (domain, _caller, input) => presentSimulation(await simulation.simulatePrincipalPolicy(domain, input)),
  },
  SimulateCustomPolicy: {
    action: 'iam:SimulateCustomPolicy',
    resource: onAccount,
    handler: async (domain, caller, input) => presentSimulation(await simulation.simulateCustomPolicy(domain, caller, input)),
  },
};

/** How many attachments the account's customer managed policies have (at most 1500 policies: two pages). */
async function customerPolicyAttachments(domain: Domain): Promise<number> {
  let total = 0;
  let marker: string | undefined;
  do {
    const page = await domain.store.managedPolicies.listPage({ pathPrefix: '/', maxItems: 1000, ...(marker !== undefined ? { marker } : {}), onlyAttached: true });
    const counts = await domain.store.attachments.countsFor(page.items.map((p) => p.arn));
    for (const n of counts.values()) total += n;
    marker = page.nextMarker;
  } while (marker !== undefined);
  return total;
}
