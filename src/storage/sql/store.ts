import type { Store } from '../../ports/store.js';
import { SqlConsoleSessions, SqlCredentialReports, SqlFailureCounters, SqlPasswordPolicy, SqlSettings, SqlSignInThrottle } from './account.js';
import { SqlAccessKeys, SqlLoginProfiles } from './credentials.js';
import { SqlGroups } from './groups.js';
import { SqlMfaDevices } from './mfa.js';
import { SqlAttachments, SqlAuthorization, SqlInlinePolicies, SqlManagedPolicies } from './policies.js';
import { SqlInstanceProfiles, SqlRoles } from './roles.js';
import { SqlServerCertificates } from './server-certificates.js';
import { SqlOidcProviders, SqlSamlProviders } from './identity-providers.js';
import { SqlAccessAdvisor } from './access-advisor.js';
import type { Sql } from './sql.js';
import { SqlServiceCredentials, SqlSigningCertificates, SqlSshPublicKeys } from './user-credentials.js';
import { SqlUsers } from './users.js';

/** The whole store over one driver: the same repositories for SQLite and PostgreSQL. */
export class SqlStore implements Store {
  readonly users: SqlUsers;
  readonly groups: SqlGroups;
  readonly roles: SqlRoles;
  readonly instanceProfiles: SqlInstanceProfiles;
  readonly mfaDevices: SqlMfaDevices;
  readonly serverCertificates: SqlServerCertificates;
  readonly oidcProviders: SqlOidcProviders;
  readonly samlProviders: SqlSamlProviders;
  readonly accessAdvisor: SqlAccessAdvisor;
  readonly accessKeys: SqlAccessKeys;
  readonly loginProfiles: SqlLoginProfiles;
  readonly sshPublicKeys: SqlSshPublicKeys;
  readonly signingCertificates: SqlSigningCertificates;
  readonly serviceCredentials: SqlServiceCredentials;
  readonly passwordPolicy: SqlPasswordPolicy;
  readonly failures: SqlFailureCounters;
  readonly managedPolicies: SqlManagedPolicies;
  readonly inlinePolicies: SqlInlinePolicies;
  readonly attachments: SqlAttachments;
  readonly authorization: SqlAuthorization;
  readonly credentialReports: SqlCredentialReports;
  readonly consoleSessions: SqlConsoleSessions;
  readonly signInThrottle: SqlSignInThrottle;
  readonly settings: SqlSettings;

  constructor(protected readonly sql: Sql) {
    this.users = new SqlUsers(sql);
    this.groups = new SqlGroups(sql, this.users);
    this.roles = new SqlRoles(sql);
    this.instanceProfiles = new SqlInstanceProfiles(sql, this.roles);
    this.mfaDevices = new SqlMfaDevices(sql);
    this.serverCertificates = new SqlServerCertificates(sql);
    this.oidcProviders = new SqlOidcProviders(sql);
    this.samlProviders = new SqlSamlProviders(sql);
    this.accessAdvisor = new SqlAccessAdvisor(sql);
    this.accessKeys = new SqlAccessKeys(sql);
    this.loginProfiles = new SqlLoginProfiles(sql);
    this.sshPublicKeys = new SqlSshPublicKeys(sql);
    this.signingCertificates = new SqlSigningCertificates(sql);
    this.serviceCredentials = new SqlServiceCredentials(sql);
    this.passwordPolicy = new SqlPasswordPolicy(sql);
    this.failures = new SqlFailureCounters(sql);
    this.managedPolicies = new SqlManagedPolicies(sql);
    this.inlinePolicies = new SqlInlinePolicies(sql);
    this.attachments = new SqlAttachments(sql);
    this.authorization = new SqlAuthorization(sql);
    this.credentialReports = new SqlCredentialReports(sql);
    this.consoleSessions = new SqlConsoleSessions(sql);
    this.signInThrottle = new SqlSignInThrottle(sql);
    this.settings = new SqlSettings(sql);
  }

  async clear(): Promise<void> {
    await this.sql.truncateAll();
    await this.sql.announceChange();
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}
